#ifndef HOCLIEU_CLIBXML2_SHIM_H
#define HOCLIEU_CLIBXML2_SHIM_H
/* Debian's libxml2 is built with ICU, and encoding.h then includes the system ICU headers,
   which clash with the ICU copy inside Foundation ("UErrorCode ... not present") in any
   module that imports both. Nothing here touches the ICU-only fields of
   xmlCharEncodingHandler (only pointers to it), so hide them. */
#include <libxml/xmlversion.h>
#undef LIBXML_ICU_ENABLED
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/SAX2.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <libxml/xmlschemas.h>
#include <libxml/xmlschemastypes.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlwriter.h>
#include <libxml/catalog.h>

/// Swift 6 rejects the global `xmlFree` function pointer; call through this instead.
static inline void hoclieu_xmlFree(void *p) { xmlFree(p); }
/// The libxml2 version as an integer string (e.g. "20914").
static inline const char *hoclieu_xmlParserVersion(void) { return xmlParserVersion; }
/// Swift cannot define C-variadic callbacks: a no-op `xmlGenericErrorFunc` used to keep
/// unstructured libxml2 messages off stderr on the calling thread.
static inline void hoclieu_silentGenericError(void *ctx, const char *msg, ...) { (void)ctx; (void)msg; }
/// Installs `hoclieu_silentGenericError` as this thread's generic error handler
/// (libxml2 keeps that handler per thread when built with thread support).
static inline void hoclieu_silenceGenericErrorsOnThisThread(void) {
    xmlSetGenericErrorFunc(NULL, hoclieu_silentGenericError);
}
#endif
