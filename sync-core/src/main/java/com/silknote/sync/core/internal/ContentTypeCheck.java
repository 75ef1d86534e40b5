package com.silknote.sync.core.internal;

/**
 * Checks that a declared MIME type and the content's leading bytes agree (normally
 * {@code ContentSniffer::agrees} of {@code com.silknote.sync.core.admission}).
 */
@FunctionalInterface
public interface ContentTypeCheck {
    /**
     * @param declaredMime the declared type, without parameters, lower case
     * @param head         the first bytes of the content
     * @param length       how many bytes of {@code head} are valid
     * @return {@code true} when the bytes fit the declared type
     */
    boolean agrees(String declaredMime, byte[] head, int length);
}
