package com.silknote.sync.core;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.archfixture.BadHabits;
import com.silknote.sync.core.archfixture.Friend;
import com.silknote.sync.core.archfixture.RogueException;
import com.silknote.sync.core.archfixture.WallClockBuilder;
import com.silknote.sync.core.archfixture.WallClockUser;
import com.silknote.sync.core.archfixture.internal.Cycle;
import com.silknote.sync.core.archfixture.internal.Secret;
import com.silknote.sync.core.archintruder.Intruder;
import com.silknote.sync.core.port.Sleeper;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/** The rules of {@link ArchitectureTest} are not vacuous: each one fails on a deliberately bad class. */
class ArchitectureRulesCatchViolationsTest {
    private static final JavaClasses FIXTURES = new ClassFileImporter().importClasses(WallClockUser.class,
            WallClockBuilder.class, RogueException.class, BadHabits.class, Secret.class, Friend.class,
            Intruder.class, Cycle.class, Sleeper.class);

    private static EvaluationResult evaluate(ArchRule rule) {
        return rule.evaluate(FIXTURES);
    }

    @Test
    void bannedTimeAndRandomnessCallsAreFoundButBuildersAndTheSystemSleeperPass() {
        EvaluationResult result = evaluate(ArchitectureTest.noWallClockSleepOrUnseededRandomness);
        String report = String.join("\n", result.getFailureReport().getDetails());
        assertThat(report).contains("Thread.sleep(long)", "Instant.now()", "System.currentTimeMillis()",
                "Random.<init>()", "UUID.randomUUID()", "LocalDateTime.now()", "Clock.systemUTC()");
        assertThat(result.getFailureReport().getDetails()).hasSize(9); // 7 calls + 2 references
        assertThat(report).doesNotContain("WallClockBuilder", "Sleeper", "Instant.now(java.time.Clock)",
                "Random.<init>(long)");
    }

    @Test
    void publicThrowablesOutsideTheHierarchyAreFound() {
        assertThat(evaluate(ArchitectureTest.publicThrowablesAreSyncExceptions).getFailureReport().getDetails())
                .singleElement().asString().contains("RogueException");
    }

    @Test
    void thirdPartyDependenciesOfCoreAreFound() {
        assertThat(String.join("\n", evaluate(ArchitectureTest.coreDependsOnlyOnJdkSlf4jAndJakartaInject)
                .getFailureReport().getDetails())).contains("org.assertj");
    }

    @Test
    void internalsUsedFromOutsideTheirParentAreFound() {
        String report = String.join("\n",
                evaluate(ArchitectureTest.internalPackagesAreUsedOnlyWithinTheirParent).getFailureReport().getDetails());
        assertThat(report).contains("Intruder").doesNotContain("Friend");
    }

    @Test
    void generalCodingRulesAndCyclesFire() {
        assertThat(evaluate(ArchitectureTest.noStandardStreams).hasViolation()).isTrue();
        assertThat(evaluate(ArchitectureTest.noGenericExceptions).hasViolation()).isTrue();
        assertThat(evaluate(ArchitectureTest.noJavaUtilLogging).hasViolation()).isTrue();
        assertThat(evaluate(ArchitectureTest.noJavaUtilLoggingTypes).hasViolation()).isTrue();
        EvaluationResult cycles = evaluate(ArchitectureTest.noPackageCycles);
        assertThat(cycles.hasViolation()).as(cycles.getFailureReport().toString()).isTrue();
    }
}
