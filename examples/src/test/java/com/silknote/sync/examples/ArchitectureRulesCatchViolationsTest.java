package com.silknote.sync.examples;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.azure.archfixture.AzureUsesJdbc;
import com.silknote.sync.core.VsrxSync;
import com.silknote.sync.core.model.archfixture.ModelUsesPath;
import com.silknote.sync.core.path.PathValidator;
import com.silknote.sync.core.port.archfixture.PortUsesAzure;
import com.silknote.sync.core.spool.archfixture.Unplaced;
import com.silknote.sync.jdbc.archfixture.JdbcThing;
import com.silknote.sync.jdbc.internal.archfixture.JdbcSecret;
import com.silknote.sync.micrometer.archfixture.MicrometerUsesJdbc;
import com.silknote.sync.testkit.archfixture.TestkitPeeks;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The cross-module rules are not vacuous: deliberately bad fixture classes (test sources only, placed in the
 * packages they misuse) make each rule fail, and the empty-adapter allowance does not hide them.
 */
class ArchitectureRulesCatchViolationsTest {
    private static final JavaClasses BAD = new ClassFileImporter().importClasses(AzureUsesJdbc.class,
            JdbcThing.class, JdbcSecret.class, TestkitPeeks.class, ModelUsesPath.class, PortUsesAzure.class,
            Unplaced.class, MicrometerUsesJdbc.class, PathValidator.class, VsrxSync.class);

    private static String report(ArchRule rule) {
        return String.join("\n", rule.evaluate(BAD).getFailureReport().getDetails());
    }

    @Test
    void onionCatchesModelToServiceCoreToAdapterAdapterToAdapterAndUnplacedClasses() {
        String report = report(ArchitectureTest.onion());
        assertThat(report).contains("ModelUsesPath", "PortUsesAzure", "AzureUsesJdbc", "TestkitPeeks",
                "Unplaced", "MicrometerUsesJdbc");
    }

    @Test
    void adaptersMayNotDependOnEachOther() {
        assertThat(report(ArchitectureTest.adaptersAreIndependent)).contains("AzureUsesJdbc", "TestkitPeeks",
                "MicrometerUsesJdbc");
    }

    @Test
    void cyclesBetweenModulesAreFound() {
        assertThat(report(ArchitectureTest.noCyclesBetweenModules)).contains("azure", "jdbc");
    }

    @Test
    void coreMayNotUseAdapters() {
        assertThat(report(ArchitectureTest.coreNeverUsesAdaptersTestkitOrExamples)).contains("PortUsesAzure");
    }

    @Test
    void internalsMayNotLeaveTheirModule() {
        assertThat(report(ArchitectureTest.internalsStayInTheirModule)).contains("TestkitPeeks")
                .doesNotContain("JdbcThing");
    }

    @Test
    void theRealCodeBaseAloneIsClean() {
        JavaClasses clean = new ClassFileImporter().importClasses(PathValidator.class, VsrxSync.class);
        assertThat(ArchitectureTest.onion().evaluate(clean).hasViolation()).isFalse();
    }
}
