package com.silknote.sync.examples;

import static com.tngtech.archunit.base.DescribedPredicate.alwaysTrue;
import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.assignableTo;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.onionArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.exception.SyncException;
import com.silknote.sync.core.path.PathValidator;
import com.silknote.sync.micrometer.MicrometerSyncListener;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.GeneralCodingRules;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import java.util.List;
import java.util.Optional;

/**
 * Cross-module architecture rules (STYLE.md §9). They live here because examples is the only module whose
 * test class path holds every module. Core-only rules are in sync-core's own ArchitectureTest.
 */
@AnalyzeClasses(packages = "com.silknote.sync", importOptions = MainClassesOnly.class)
public class ArchitectureTest {
    static final String SYNC = "com.silknote.sync";
    static final String CORE = SYNC + ".core";
    static final String EXAMPLES = SYNC + ".examples";

    /** Module roots: an {@code internal} package belongs to the module whose root contains it. */
    static final List<String> MODULE_ROOTS = List.of(CORE, SYNC + ".azure", SYNC + ".jdbc", SYNC + ".vsrx.http",
            SYNC + ".fs", SYNC + ".micrometer", SYNC + ".testkit", EXAMPLES);

    /** Adapter name and package pattern; the testkit counts as an adapter (of tests). */
    static final List<List<String>> ADAPTERS = List.of(
            List.of("azure", SYNC + ".azure.."),
            List.of("jdbc", SYNC + ".jdbc.."),
            List.of("vsrx-http", SYNC + ".vsrx.http.."),
            List.of("fs", SYNC + ".fs.."),
            List.of("micrometer", SYNC + ".micrometer.."),
            List.of("testkit", SYNC + ".testkit.."));

    /**
     * The onion. Adapter modules (and the diff and dedup services) are filled in over time, so a layer without
     * classes yet is optional rather than a failure: {@code withOptionalLayers(true)} is deliberate here, and
     * {@code because(...)} is left off since it clashes with optional layers (TNG/ArchUnit#1185). The examples
     * are the host: they may wire everything together, so their own dependencies are not judged.
     */
    @ArchTest
    static final ArchRule onion = onion();

    static ArchRule onion() {
        var onion = onionArchitecture()
                .domainModels(CORE + ".model..", CORE + ".exception..")
                .domainServices(CORE + ".port..", CORE + ".path..", CORE + ".diff..", CORE + ".dedup..",
                        CORE + ".admission..")
                .applicationServices(CORE, CORE + ".internal..");
        for (List<String> adapter : ADAPTERS) {
            onion = onion.adapter(adapter.get(0), adapter.get(1));
        }
        return onion
                .ignoreDependency(resideInAPackage(EXAMPLES + ".."), alwaysTrue())
                .ensureAllClassesAreContainedInArchitectureIgnoring(resideInAPackage(EXAMPLES + ".."))
                .withOptionalLayers(true);
    }

    /**
     * Adapters never depend on each other (also implied by the onion; stated on its own so the message is
     * plain). Allowed to be empty on purpose: until two adapter modules hold classes there are no slices.
     */
    @ArchTest
    static final ArchRule adaptersAreIndependent = slices().assignedFrom(adapterSlices())
            .should().notDependOnEachOther()
            .allowEmptyShould(true);

    @ArchTest
    static final ArchRule noCyclesBetweenModules = slices().matching(SYNC + ".(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule noCyclesBetweenPackages = slices().matching(SYNC + ".(**)").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule coreNeverUsesAdaptersTestkitOrExamples = noClasses()
            .that().resideInAPackage(CORE + "..")
            .should().dependOnClassesThat().resideInAnyPackage(SYNC + ".azure..", SYNC + ".jdbc..",
                    SYNC + ".vsrx..", SYNC + ".fs..", SYNC + ".micrometer..", SYNC + ".testkit..", EXAMPLES + "..");

    @ArchTest
    static final ArchRule coreDependsOnlyOnJdkSlf4jAndJakartaInject = classes()
            .that().resideInAPackage(CORE + "..")
            .should().onlyDependOnClassesThat()
            .resideInAnyPackage("java..", "org.slf4j..", "jakarta.inject..", CORE + "..");

    @ArchTest
    static final ArchRule internalsStayInTheirModule = classes().should(useOnlyInternalsOfTheirOwnModule());

    /**
     * Public throwables of the API are SyncExceptions. Not judged: {@code internal} packages (no API; the
     * internals rule keeps them inside their module, which translates them at its port boundary), the
     * testkit's {@link Error}s (crash signals such as {@code SimulatedCrash} must escape every
     * {@code catch (Exception e)}, so they are deliberately not exceptions), and the examples.
     */
    @ArchTest
    static final ArchRule publicThrowablesAreSyncExceptions = classes()
            .that().areAssignableTo(Throwable.class)
            .and().arePublic()
            .and().resideInAPackage(SYNC + "..")
            .and().resideOutsideOfPackages(EXAMPLES + "..", "..internal..")
            .and(not(resideInAPackage(SYNC + ".testkit..").and(assignableTo(Error.class))))
            .should().beAssignableTo(SyncException.class);

    /** Library code never prints; the examples' command line may. */
    @ArchTest
    static final ArchRule noStandardStreamsInLibraries = noClasses()
            .that().resideInAPackage(SYNC + "..")
            .and().resideOutsideOfPackage(EXAMPLES + "..")
            .should(GeneralCodingRules.ACCESS_STANDARD_STREAMS);

    @ArchTest
    static final ArchRule noGenericExceptions = GeneralCodingRules.NO_CLASSES_SHOULD_THROW_GENERIC_EXCEPTIONS;
    @ArchTest
    static final ArchRule noJavaUtilLogging = noClasses()
            .should().dependOnClassesThat().resideInAPackage("java.util.logging..");
    @ArchTest
    static final ArchRule noFieldInjection = GeneralCodingRules.NO_CLASSES_SHOULD_USE_FIELD_INJECTION;

    /** mvn test and mvn verify can import different class paths (TNG/ArchUnit#1308): prove the import worked. */
    @ArchTest
    static void importHoldsTheModules(JavaClasses classes) {
        assertThat(classes.contain(VsrxSync.class)).isTrue();
        assertThat(classes.contain(PathValidator.class)).isTrue();
        assertThat(classes.contain(MicrometerSyncListener.class)).isTrue();
        assertThat(classes.size()).isGreaterThan(40);
        assertThat(classes.stream().noneMatch(c -> c.getName().endsWith("ArchitectureTest"))).isTrue();
    }

    static SliceAssignment adapterSlices() {
        return new SliceAssignment() {
            @Override
            public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
                for (List<String> adapter : ADAPTERS) {
                    if (resideInAPackage(adapter.get(1)).test(javaClass)) {
                        return SliceIdentifier.of(adapter.get(0));
                    }
                }
                return SliceIdentifier.ignore();
            }

            @Override
            public String getDescription() {
                return "adapters " + ADAPTERS;
            }
        };
    }

    static Optional<String> moduleOf(String packageName) {
        return MODULE_ROOTS.stream()
                .filter(root -> packageName.equals(root) || packageName.startsWith(root + "."))
                .findFirst();
    }

    static ArchCondition<JavaClass> useOnlyInternalsOfTheirOwnModule() {
        return new ArchCondition<>("use internal packages only from within their own module") {
            @Override
            public void check(JavaClass origin, ConditionEvents events) {
                origin.getDirectDependenciesFromSelf().forEach(dependency -> {
                    String target = dependency.getTargetClass().getPackageName();
                    boolean internal = target.endsWith(".internal") || target.contains(".internal.");
                    if (!internal || !target.startsWith(SYNC + ".")) {
                        return;
                    }
                    String owner = moduleOf(target).orElse(target.substring(0, target.indexOf(".internal")));
                    String from = origin.getPackageName();
                    boolean inside = from.equals(owner) || from.startsWith(owner + ".");
                    events.add(new SimpleConditionEvent(origin, inside, dependency.getDescription()));
                });
            }
        };
    }
}
