package com.silknote.sync.benchmarks;

import com.silknote.sync.core.diff.DiffEngine;
import com.silknote.sync.core.diff.DiffInput;
import com.silknote.sync.core.diff.DiffPolicy;
import com.silknote.sync.core.diff.Plan;
import com.silknote.sync.core.model.SyncConfig;
import com.silknote.sync.core.path.PathValidator;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A companion to {@link DiffBenchmark} for a shared machine: the same inputs, but per operation it reports
 * the calling thread's CPU time and the collectors' time next to the wall time. Wall time on an
 * oversubscribed machine mostly measures waiting for a core; CPU time is what the diff itself costs.
 *
 * <pre>java -Xms3g -Xmx3g -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.DiffCpuTime [warmups] [runs]</pre>
 */
public final class DiffCpuTime {
    private DiffCpuTime() { }

    /** Runs every mix; prints one Markdown row per mix and operation. */
    public static void main(String[] args) {
        int warmups = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        DiffEngine engine = new DiffEngine(DiffPolicy.of(SyncConfig.defaults(), PathValidator::validate));
        System.out.println("| mix | operation | median wall ms | median thread CPU ms | median GC ms |");
        System.out.println("|---|---|---:|---:|---:|");
        for (DiffBenchmark.Mix mix : DiffBenchmark.Mix.values()) {
            DiffBenchmark bench = new DiffBenchmark();
            bench.mix = mix;
            DiffInput input = DiffBenchmark.input(mix, DiffBenchmark.FILES, 42L);
            bench.setUpWith(input);
            for (String op : List.of("plan", "baselineHashJoin")) {
                List<Double> wall = new ArrayList<>();
                List<Double> cpu = new ArrayList<>();
                List<Double> gc = new ArrayList<>();
                long sink = 0;
                for (int i = 0; i < warmups + runs; i++) {
                    long gc0 = gcMillis();
                    long c0 = threads.getCurrentThreadCpuTime();
                    long w0 = System.nanoTime();
                    if (op.equals("plan")) {
                        Plan p = engine.plan(input);
                        sink += p.files().size();
                    } else {
                        sink += bench.baselineHashJoin();
                    }
                    long w1 = System.nanoTime();
                    long c1 = threads.getCurrentThreadCpuTime();
                    long gc1 = gcMillis();
                    if (i >= warmups) {
                        wall.add((w1 - w0) / 1e6);
                        cpu.add((c1 - c0) / 1e6);
                        gc.add((double) (gc1 - gc0));
                    }
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f |%n", mix, op, Results.median(wall),
                        Results.median(cpu), Results.median(gc));
                if (sink == 42) {
                    System.out.println();
                }
            }
        }
    }

    private static long gcMillis() {
        long sum = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            sum += Math.max(0, gc.getCollectionTime());
        }
        return sum;
    }
}
