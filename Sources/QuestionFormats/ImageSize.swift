import Foundation

/// The pixel size of a PNG, JPEG or GIF, read from its header, and the size a picture takes on a
/// Word page: its own size at 96 dpi, scaled down (keeping the aspect ratio) to the text width.
enum ImageSize {
    /// English Metric Units per pixel at 96 dpi.
    static let emuPerPixel = 9_525
    /// The text width of an A4 page with 2 cm margins (9638 twips), in EMU.
    static let maxWidth = 9_638 * 635
    /// The size used when the picture's own cannot be read (5.1 × 3.8 cm).
    static let fallback = (cx: 1_905_000, cy: 1_428_750)

    /// Width and height in pixels; `nil` for another format or a damaged header.
    static func pixels(_ data: Data) -> (width: Int, height: Int)? {
        let bytes = [UInt8](data.prefix(64 * 1024))
        func be16(_ i: Int) -> Int { Int(bytes[i]) << 8 | Int(bytes[i + 1]) }
        func be32(_ i: Int) -> Int { be16(i) << 16 | be16(i + 2) }
        if bytes.count >= 24, bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]), bytes[12..<16] == [0x49, 0x48, 0x44, 0x52] {
            return positive(be32(16), be32(20))
        }
        if bytes.count >= 10, bytes.starts(with: Array("GIF8".utf8)) {
            return positive(Int(bytes[6]) | Int(bytes[7]) << 8, Int(bytes[8]) | Int(bytes[9]) << 8)
        }
        if bytes.count >= 4, bytes[0] == 0xFF, bytes[1] == 0xD8 {
            var i = 2
            while i + 9 < bytes.count {
                guard bytes[i] == 0xFF else { return nil }
                let marker = bytes[i + 1]
                if marker == 0xFF { i += 1; continue }
                if marker == 0xD8 || marker == 0x01 || (0xD0...0xD7).contains(marker) { i += 2; continue }
                let length = be16(i + 2)
                // Start of frame: SOF0–SOF15 but DHT (C4), JPG (C8) and DAC (CC).
                if (0xC0...0xCF).contains(marker), ![0xC4, 0xC8, 0xCC].contains(marker) { return positive(be16(i + 7), be16(i + 5)) }
                guard length >= 2 else { return nil }
                i += 2 + length
            }
        }
        return nil
    }

    private static func positive(_ width: Int, _ height: Int) -> (width: Int, height: Int)? {
        width > 0 && height > 0 && width < 100_000 && height < 100_000 ? (width, height) : nil
    }

    /// The extent of a picture on the page, in EMU.
    static func extent(of data: Data) -> (cx: Int, cy: Int) {
        guard let size = pixels(data) else { return fallback }
        var cx = size.width * emuPerPixel
        var cy = size.height * emuPerPixel
        if cx > maxWidth {
            cy = Int((Double(cy) * Double(maxWidth) / Double(cx)).rounded())
            cx = maxWidth
        }
        return (cx, cy)
    }
}
