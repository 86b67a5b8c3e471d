package dev.isolate.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/**
 * The shape of the code, as rules: packages form no cycle, the step vocabulary and the
 * kernel's constants depend on nothing of isolate's, planning is pure, and the supervisor
 * executes the plan it is given.
 */
class PackageRulesTest {
    private static final JavaClasses ISOLATE = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.isolate");

    /** Every package is a slice of its own, sub-packages too. */
    private static final ArchRule NO_CYCLES = slices().matching("dev.isolate.(**)").should().beFreeOfCycles();

    @Test
    void packagesFormNoCycle() {
        NO_CYCLES.check(ISOLATE);
    }

    @Test
    void theCycleRuleCatchesACycle() {
        JavaClasses cyclic = new ClassFileImporter().importPackages("dev.isolate.architecture.cycle");
        EvaluationResult result = NO_CYCLES.evaluate(cyclic);
        assertTrue(result.hasViolation(), "two packages that import each other are a cycle");
        assertFalse(NO_CYCLES.evaluate(new ClassFileImporter().importPackages("dev.isolate.architecture.cycle.a"))
                .hasViolation());
    }

    @Test
    void theStepVocabularyAndTheKernelsConstantsStandAlone() {
        for (String leaf : new String[] {"dev.isolate.step", "dev.isolate.linux", "dev.isolate.json"}) {
            noClasses().that().resideInAPackage(leaf).should()
                    .dependOnClassesThat(resideInAPackage("dev.isolate..").and(not(resideInAPackage(leaf))))
                    .because(leaf + " is what everything else builds on").check(ISOLATE);
        }
    }

    @Test
    void aDryRunIsShownFromThePlanAlone() {
        noClasses().that().resideInAPackage("dev.isolate.dryrun").should()
                .dependOnClassesThat(resideInAPackage("dev.isolate..").and(not(resideInAnyPackage(
                        "dev.isolate.dryrun", "dev.isolate.step", "dev.isolate.linux", "dev.isolate.json"))))
                .orShould().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio.file..", "java.net..")
                .because("what a dry run prints is decided elsewhere; it only renders the plan and the host's"
                        + " decisions").check(ISOLATE);
    }

    @Test
    void planningIsPure() {
        noClasses().that().resideInAnyPackage("dev.isolate.plan..", "dev.isolate.step..")
                .should().dependOnClassesThat().resideInAnyPackage("java.io..", "java.nio.file..", "java.net..",
                        "dev.isolate.sys..", "dev.isolate.state..", "dev.isolate.supervise..", "dev.isolate.launch..")
                .orShould().dependOnClassesThat().haveFullyQualifiedName(ProcessBuilder.class.getName())
                .because("the planner takes values and returns a plan, so that every decision is unit-tested")
                .check(ISOLATE);
    }

    @Test
    void theSupervisorExecutesThePlanItIsGiven() {
        noClasses().that().resideInAPackage("dev.isolate.supervise")
                .should().dependOnClassesThat().resideInAnyPackage("dev.isolate.plan", "dev.isolate.spec..",
                        "dev.isolate.host.rootfs..", "dev.isolate.host.network..", "dev.isolate.launch..",
                        "dev.isolate.cli..")
                .check(ISOLATE);
    }

    @Test
    void onlyTheCommandLineParsesAndPrints() {
        noClasses().that().resideOutsideOfPackage("dev.isolate.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("picocli..", "dev.isolate.cli..")
                .check(ISOLATE);
    }
}
