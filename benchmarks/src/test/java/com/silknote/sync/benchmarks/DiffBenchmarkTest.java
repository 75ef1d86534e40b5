package com.silknote.sync.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import com.silknote.sync.core.diff.Plan;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The benchmark's input has the mix it claims, so the benchmark measures what the docs say. */
class DiffBenchmarkTest {

    @ParameterizedTest
    @EnumSource(DiffBenchmark.Mix.class)
    void eachMixPlansAsDescribed(DiffBenchmark.Mix mix) {
        DiffBenchmark bench = new DiffBenchmark();
        bench.mix = mix;
        var input = DiffBenchmark.input(mix, 2_000, 7L);
        bench.setUpWith(input);

        Plan plan = bench.plan();

        assertThat(plan.size()).isEqualTo(2_000);
        // issue 12.1: unchanged files are counted, the others planned one by one
        assertThat(plan.files()).hasSize(2_000 - (int) plan.unchanged());
        assertThat(plan.counts()).containsExactlyInAnyOrderEntriesOf(DiffBenchmark.expectedCounts(mix, 2_000));
        assertThat(bench.baselineHashJoin()).isEqualTo(2_000 - DiffBenchmark.expectedCounts(mix, 2_000)
                .getOrDefault(com.silknote.sync.core.diff.PlanAction.UNCHANGED, 0L).intValue());
    }
}
