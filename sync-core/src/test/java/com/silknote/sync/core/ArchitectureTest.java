package com.silknote.sync.core;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.path.PathValidator;
import com.silknote.sync.core.port.Sleeper;
import com.tngtech.archunit.core.domain.AccessTarget;
import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.GeneralCodingRules;
import java.util.Set;

/**
 * Architecture rules of sync-core (STYLE.md §9). The onion and adapter-independence rules live in the
 * examples module, the only one that sees every module.
 */
@AnalyzeClasses(packages = "com.silknote.sync", importOptions = MainClassesOnly.class)
public class ArchitectureTest {
    static final String CORE = "com.silknote.sync.core";

    /** Calls that read the wall clock, wait on it, or draw unseeded randomness: owner, method, arity. */
    static final Set<String> BANNED_CALLS = Set.of(
            "java.time.Instant.now/0",
            "java.time.LocalDateTime.now/0",
            "java.time.LocalDate.now/0",
            "java.time.LocalTime.now/0",
            "java.time.ZonedDateTime.now/0",
            "java.time.OffsetDateTime.now/0",
            "java.time.OffsetTime.now/0",
            "java.time.Clock.systemUTC/0",
            "java.time.Clock.systemDefaultZone/0",
            "java.lang.System.currentTimeMillis/0",
            "java.lang.Thread.sleep/1",
            "java.lang.Thread.sleep/2",
            "java.util.concurrent.TimeUnit.sleep/1",
            "java.util.Random.<init>/0",
            "java.security.SecureRandom.<init>/0",
            "java.util.SplittableRandom.<init>/0",
            "java.util.concurrent.ThreadLocalRandom.current/0",
            "java.lang.Math.random/0",
            "java.lang.StrictMath.random/0",
            "java.util.UUID.randomUUID/0");

    @ArchTest
    static final ArchRule coreDependsOnlyOnJdkSlf4jAndJakartaInject = classes()
            .that().resideInAPackage(CORE + "..")
            .should().onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "org.slf4j..", "jakarta.inject..", CORE + "..");

    @ArchTest
    static final ArchRule internalPackagesAreUsedOnlyWithinTheirParent = classes()
            .should(useOnlyTheirOwnInternals());

    @ArchTest
    static final ArchRule publicThrowablesAreSyncExceptions = classes()
            .that().areAssignableTo(Throwable.class)
            .and().arePublic()
            .and().resideInAPackage("com.silknote.sync..")
            .should().beAssignableTo(SyncException.class);

    @ArchTest
    static final ArchRule noWallClockSleepOrUnseededRandomness = classes()
            .that().resideInAPackage(CORE + "..")
            .and().haveSimpleNameNotEndingWith("Builder")
            .should(notCallBannedTimeOrRandomness());

    @ArchTest
    static final ArchRule facadesAloneInCore = classes()
            .that().resideInAPackage(CORE)
            .should().haveNameMatching("com\\.silknote\\.sync\\.core\\."
                    + "((VsrxSync|RunControl|SyncScheduler|OrphanCleanup|ConsistencyCheck|RebookingMigration|SyncConflicts)(\\$.*)?"
                    + "|package-info)");

    @ArchTest
    static final ArchRule noStandardStreams = GeneralCodingRules.NO_CLASSES_SHOULD_ACCESS_STANDARD_STREAMS;
    @ArchTest
    static final ArchRule noGenericExceptions = GeneralCodingRules.NO_CLASSES_SHOULD_THROW_GENERIC_EXCEPTIONS;
    @ArchTest
    static final ArchRule noJavaUtilLogging = GeneralCodingRules.NO_CLASSES_SHOULD_USE_JAVA_UTIL_LOGGING;
    /** Stricter than the general rule, which only sees logger fields: no java.util.logging type at all. */
    @ArchTest
    static final ArchRule noJavaUtilLoggingTypes = noClasses()
            .should().dependOnClassesThat().resideInAPackage("java.util.logging..");
    @ArchTest
    static final ArchRule noFieldInjection = GeneralCodingRules.NO_CLASSES_SHOULD_USE_FIELD_INJECTION;
    @ArchTest
    static final ArchRule noOldDateAndTime = GeneralCodingRules.OLD_DATE_AND_TIME_CLASSES_SHOULD_NOT_BE_USED;

    @ArchTest
    static final ArchRule noPackageCycles = slices().matching("com.silknote.sync.(**)").should().beFreeOfCycles();

    /** mvn test and mvn verify can import different class paths (TNG/ArchUnit#1308): prove the import worked. */
    @ArchTest
    static void importIsNotEmpty(JavaClasses classes) {
        assertThat(classes.size()).isGreaterThan(40);
        assertThat(classes.contain(VsrxSync.class)).isTrue();
        assertThat(classes.contain(PathValidator.class)).isTrue();
        assertThat(classes.stream().noneMatch(c -> c.getName().endsWith("ArchitectureTest"))).isTrue();
    }

    static ArchCondition<JavaClass> useOnlyTheirOwnInternals() {
        return new ArchCondition<>("use classes of an internal package only from within its parent package") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                origin.getDirectDependenciesFromSelf().forEach(dependency -> {
                    String target = dependency.getTargetClass().getPackageName();
                    int at = internalSegment(target);
                    if (at < 0) {
                        return;
                    }
                    String parent = target.substring(0, at);
                    String from = origin.getPackageName();
                    boolean inside = from.equals(parent) || from.startsWith(parent + ".");
                    events.add(new SimpleConditionEvent(origin, inside, dependency.getDescription()));
                });
            }
        };
    }

    static int internalSegment(String packageName) {
        if (packageName.endsWith(".internal")) {
            return packageName.length() - ".internal".length();
        }
        return packageName.indexOf(".internal.");
    }

    static ArchCondition<JavaClass> notCallBannedTimeOrRandomness() {
        return new ArchCondition<>("not read the wall clock, sleep, or draw unseeded randomness "
                + "(builders, Sleeper.SYSTEM and SyncLock's fresh request id excepted)") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                // calls and method/constructor references (Instant::now, Random::new)
                for (JavaAccess<?> access : origin.getCodeUnitAccessesFromSelf()) {
                    AccessTarget target = access.getTarget();
                    if (!(target instanceof AccessTarget.CodeUnitAccessTarget)) {
                        continue;
                    }
                    String key = target.getOwner().getName() + "." + target.getName() + "/"
                            + ((AccessTarget.CodeUnitAccessTarget) target).getRawParameterTypes().size();
                    if (BANNED_CALLS.contains(key) && !isSystemSleeper(access, key)
                            && !isFreshRequestId(access, key)) {
                        events.add(SimpleConditionEvent.violated(origin, access.getDescription()));
                    }
                }
            }
        };
    }

    /**
     * {@code SyncLock}'s two-argument {@code tryAcquire} makes a fresh request id: it only has to be unique
     * (it never decides what a run does), so it may draw from {@code UUID.randomUUID()}.
     */
    static boolean isFreshRequestId(JavaAccess<?> access, String key) {
        JavaCodeUnit origin = access.getOrigin();
        return key.equals("java.util.UUID.randomUUID/0")
                && origin.getOwner().isEquivalentTo(com.silknote.sync.core.port.SyncLock.class)
                && origin.getName().equals("tryAcquire");
    }

    /**
     * {@code Sleeper.SYSTEM} is the one real sleeper: its lambda may call {@code Thread.sleep(long)}. ArchUnit
     * attributes a lambda body to the enclosing code unit, here the static initializer of {@code Sleeper}.
     */
    static boolean isSystemSleeper(JavaAccess<?> access, String key) {
        JavaCodeUnit origin = access.getOrigin();
        return key.equals("java.lang.Thread.sleep/1")
                && origin.getOwner().isEquivalentTo(Sleeper.class)
                && (origin.getName().equals("<clinit>") || origin.getName().startsWith("lambda$static$"));
    }
}
