package com.silknote.sync.examples;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import java.util.regex.Pattern;

/**
 * Imports production classes only, wherever the build writes them. ArchUnit's {@code DoNotIncludeTests} knows
 * test classes by the folder {@code target/test-classes}; the root pom's {@code sync.target} property moves
 * the build output (two builds in one tree), and test classes in {@code target-x/test-classes} would then be
 * checked as production code.
 */
public final class MainClassesOnly implements ImportOption {
    private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar!/.*");

    @Override
    public boolean includes(Location location) {
        return !location.contains("/test-classes/") && !location.matches(TEST_JAR);
    }
}
