package com.silknote.sync.examples;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Rules about the examples themselves (the cross-module rules are in {@link ArchitectureTest}): every
 * module is on the examples' class path, no library module depends on the examples, and no DI framework
 * (Spring) creeps in: the container example stays a plain class.
 */
class ExamplesArchitectureTest {
    private static final String ROOT = "com.silknote.sync";
    private static JavaClasses classes;

    @BeforeAll
    static void importClasses() {
        classes = new ClassFileImporter().withImportOption(new MainClassesOnly())
                .importPackages(ROOT);
    }

    @Test
    void everyModuleIsOnTheClassPath() {
        for (String pkg : List.of(ROOT + ".core", ROOT + ".core.port", ROOT + ".jdbc", ROOT + ".azure", ROOT + ".fs",
                ROOT + ".vsrx.http", ROOT + ".testkit", ROOT + ".examples")) {
            assertThat(classes.stream().anyMatch(c -> c.getPackageName().equals(pkg)))
                    .as("classes of %s imported", pkg).isTrue();
        }
    }

    @Test
    void noLibraryModuleDependsOnTheExamples() {
        noClasses().that().resideOutsideOfPackage(ROOT + ".examples..")
                .should().dependOnClassesThat().resideInAPackage(ROOT + ".examples..")
                .check(classes);
    }

    @Test
    void springIsNotOnTheClassPathOfAnyModule() {
        noClasses().should().dependOnClassesThat().resideInAPackage("org.springframework..").check(classes);
        assertThat(getClass().getClassLoader().getResource("org/springframework")).isNull();
    }
}
