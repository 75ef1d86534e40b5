package com.silknote.sync.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.onionArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rules that need every module on the classpath, which only this module has: the onion (model at the
 * centre, then ports and pure services, then the engine, adapters outside), adapters independent of each
 * other, no cycles, and no library module depending on the examples. They fail the build.
 */
class ArchitectureTest {
    private static final String ROOT = "com.silknote.sync";
    private static final String CORE = ROOT + ".core";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
    }

    @Test
    void everyModuleWasImported() {
        for (String pkg : List.of(CORE, CORE + ".port", ROOT + ".jdbc", ROOT + ".azure", ROOT + ".fs",
                ROOT + ".vsrx.http", ROOT + ".testkit", ROOT + ".examples")) {
            assertThat(classes.stream().anyMatch(c -> c.getPackageName().equals(pkg)))
                    .as("classes of %s imported", pkg).isTrue();
        }
    }

    @Test
    void portsAndAdaptersFormAnOnion() {
        onionArchitecture()
                .domainModels(CORE + ".model..", CORE + ".exception..")
                .domainServices(CORE + ".port..", CORE + ".path..", CORE + ".diff..", CORE + ".dedup..",
                        CORE + ".admission..")
                .applicationServices(CORE, CORE + ".internal..")
                .adapter("azure", ROOT + ".azure..")
                .adapter("fs", ROOT + ".fs..")
                .adapter("jdbc", ROOT + ".jdbc..")
                .adapter("vsrx-http", ROOT + ".vsrx.http..")
                .adapter("testkit", ROOT + ".testkit..")
                // the examples are the composition root: they may use every layer and every adapter
                .ignoreDependency(JavaClass.Predicates.resideInAPackage(ROOT + ".examples.."), DescribedPredicate.alwaysTrue())
                .because("the core sees the world only through ports, and adapters never depend on each other")
                .check(classes);
    }

    @Test
    void theCoreDependsOnTheJdkSlf4jAndJakartaInjectOnly() {
        classes().that().resideInAPackage(CORE + "..")
                .should().onlyDependOnClassesThat().resideInAnyPackage("java..", "org.slf4j..", "jakarta.inject..",
                        CORE + "..")
                .check(classes);
    }

    @Test
    void adaptersDependOnTheCoreNotOnThirdPartyAdaptersOfOthers() {
        noClasses().that().resideInAnyPackage(ROOT + ".azure..", ROOT + ".fs..", ROOT + ".vsrx.http..")
                .should().dependOnClassesThat().resideInAnyPackage("org.jdbi..", "org.flywaydb..", "org.postgresql..")
                .check(classes);
        noClasses().that().resideInAnyPackage(ROOT + ".jdbc..", ROOT + ".fs..", ROOT + ".vsrx.http..")
                .should().dependOnClassesThat().resideInAnyPackage("com.azure..")
                .check(classes);
    }

    @Test
    void noLibraryModuleDependsOnTheExamples() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".examples..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".examples..")
                .check(classes);
    }

    @Test
    void modulesAreFreeOfCycles() {
        slices().matching(ROOT + ".(*)..").should().beFreeOfCycles().check(classes);
    }

    @Test
    void internalPackagesAreUsedOnlyByTheirOwnModule() {
        for (String module : List.of("core", "jdbc", "azure", "fs", "vsrx.http", "testkit")) {
            noClasses().that().resideOutsideOfPackage(ROOT + "." + module + "..")
                    .should().dependOnClassesThat().resideInAPackage(ROOT + "." + module + ".internal..")
                    .allowEmptyShould(true)
                    .check(classes);
        }
    }

    @Test
    void theExamplesDoNotPullSpringIn() {
        noClasses().should().dependOnClassesThat().resideInAPackage("org.springframework..").check(classes);
    }
}
