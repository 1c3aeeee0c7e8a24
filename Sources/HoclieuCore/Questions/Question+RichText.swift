extension Question {
    /// The question with `transform` applied to every rich text it holds: stem, general feedback, worked
    /// solution, hints, outcome feedback, and in the body the options, statements, key feedback, prompts,
    /// ordering items, rubric and response template. (Cloze gaps hold plain text and are left alone.)
    public func mappingRichText(_ transform: (RichText) -> RichText) -> Question {
        var q = self
        q.stem = transform(stem)
        q.generalFeedback = generalFeedback.map(transform)
        q.workedSolution = workedSolution.map(transform)
        q.hints = hints.map(transform)
        if var outcome = outcomeFeedback {
            outcome.correct = transform(outcome.correct)
            outcome.partiallyCorrect = transform(outcome.partiallyCorrect)
            outcome.incorrect = transform(outcome.incorrect)
            q.outcomeFeedback = outcome
        }
        func options(_ choice: ChoiceQuestion) -> ChoiceQuestion {
            var choice = choice
            for i in choice.options.indices {
                choice.options[i].text = transform(choice.options[i].text)
                choice.options[i].feedback = choice.options[i].feedback.map(transform)
            }
            return choice
        }
        switch body {
        case .singleChoice(let choice): q.body = .singleChoice(options(choice))
        case .multipleResponse(let choice): q.body = .multipleResponse(options(choice))
        case .trueFalse(var tf):
            tf.feedbackTrue = tf.feedbackTrue.map(transform)
            tf.feedbackFalse = tf.feedbackFalse.map(transform)
            q.body = .trueFalse(tf)
        case .trueFalseCluster(var cluster):
            for i in cluster.statements.indices {
                cluster.statements[i].text = transform(cluster.statements[i].text)
                cluster.statements[i].feedback = cluster.statements[i].feedback.map(transform)
            }
            q.body = .trueFalseCluster(cluster)
        case .numeric(var numeric):
            for i in numeric.keys.indices { numeric.keys[i].feedback = numeric.keys[i].feedback.map(transform) }
            q.body = .numeric(numeric)
        case .shortText(var text):
            for i in text.keys.indices { text.keys[i].feedback = text.keys[i].feedback.map(transform) }
            q.body = .shortText(text)
        case .essay(var essay):
            essay.rubric = essay.rubric.map(transform)
            essay.responseTemplate = essay.responseTemplate.map(transform)
            q.body = .essay(essay)
        case .matching(var matching):
            for i in matching.pairs.indices { matching.pairs[i].prompt = transform(matching.pairs[i].prompt) }
            q.body = .matching(matching)
        case .ordering(var ordering):
            for i in ordering.items.indices { ordering.items[i].text = transform(ordering.items[i].text) }
            q.body = .ordering(ordering)
        case .cloze:
            break
        }
        return q
    }

    /// The question as the bank keeps it: every rich text reduced to the restricted HTML set.
    public func sanitised() -> Question { mappingRichText { $0.sanitised() } }
}
