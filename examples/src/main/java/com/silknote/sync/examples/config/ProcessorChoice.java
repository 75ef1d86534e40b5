package com.silknote.sync.examples.config;

import static java.util.Objects.requireNonNull;

import java.util.Locale;
import java.util.Optional;

/**
 * Which document processor the command line and the embedded default use (key {@code processor}):
 * {@code none} (no processing work at all, so no vector entries), {@code stand-in} (the
 * {@code HashEmbeddingDocumentProcessor} that writes pseudo-embeddings, for demos and tests) or the fully
 * qualified name of a host's {@code DocumentProcessor} class on the class path.
 *
 * @param kind      the choice
 * @param className the class, for {@link Kind#CLASS}
 */
public record ProcessorChoice(Kind kind, Optional<String> className) {
    /** What processes documents. */
    public enum Kind { NONE, STAND_IN, CLASS }

    /** The stand-in, as before the key existed. */
    public static final ProcessorChoice STAND_IN = new ProcessorChoice(Kind.STAND_IN, Optional.empty());
    /** No processing. */
    public static final ProcessorChoice NONE = new ProcessorChoice(Kind.NONE, Optional.empty());

    /**
     * @throws NullPointerException     when an argument is null
     * @throws IllegalArgumentException when a class name is given exactly for {@link Kind#CLASS} and is not a
     *                                  Java class name
     */
    public ProcessorChoice {
        requireNonNull(kind, "kind");
        requireNonNull(className, "className");
        if ((kind == Kind.CLASS) != className.isPresent()) {
            throw new IllegalArgumentException("a class name is given exactly for CLASS");
        }
        if (className.isPresent() && !className.get().matches(
                "\\p{javaJavaIdentifierStart}\\p{javaJavaIdentifierPart}*(\\.\\p{javaJavaIdentifierStart}"
                        + "\\p{javaJavaIdentifierPart}*)*")) {
            throw new IllegalArgumentException("expected none, stand-in or a fully qualified class name");
        }
    }

    /**
     * Reads a configured value: {@code none}, {@code stand-in} (any case) or a class name.
     *
     * @throws IllegalArgumentException when it is none of them
     */
    public static ProcessorChoice parse(String value) {
        String v = requireNonNull(value, "value").trim();
        return switch (v.toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "stand-in" -> STAND_IN;
            default -> new ProcessorChoice(Kind.CLASS, Optional.of(v));
        };
    }

    /** The value as it is written in the configuration. */
    public String value() {
        return switch (kind) {
            case NONE -> "none";
            case STAND_IN -> "stand-in";
            case CLASS -> className.orElseThrow();
        };
    }
}
