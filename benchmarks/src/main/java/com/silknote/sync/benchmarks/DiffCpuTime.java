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
 * the calling thread's CPU time, the collectors' time and the bytes the calling thread allocated next to the
 * wall time. Wall time on an oversubscribed machine mostly measures waiting for a core; CPU time is what the
 * diff itself costs, and the allocation is what later costs GC time (it does not depend on the load).
 *
 * <pre>java -Xms3g -Xmx3g -cp benchmarks/target/benchmarks.jar com.silknote.sync.benchmarks.DiffCpuTime [warmups] [runs] [--json] [--mixes=UNCHANGED,...]</pre>
 *
 * With {@code --json} it prints one JSON line instead ({@code benchmarks/run.sh} takes {@code diff_1m_ms},
 * the median wall time of {@code plan} on the {@code UNCHANGED} mix, GC pauses included).
 */
public final class DiffCpuTime {
    private DiffCpuTime() { }

    /** Runs every mix; prints one Markdown row per mix and operation. */
    public static void main(String[] args) {
        List<String> positional = new ArrayList<>();
        boolean json = false;
        List<DiffBenchmark.Mix> mixes = List.of(DiffBenchmark.Mix.values());
        for (String a : args) {
            if (a.equals("--json")) {
                json = true;
            } else if (a.startsWith("--mixes=")) {
                mixes = java.util.Arrays.stream(a.substring(8).split(",")).map(DiffBenchmark.Mix::valueOf).toList();
            } else {
                positional.add(a);
            }
        }
        int warmups = positional.size() > 0 ? Integer.parseInt(positional.get(0)) : 5;
        int runs = positional.size() > 1 ? Integer.parseInt(positional.get(1)) : 7;
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        com.sun.management.ThreadMXBean allocations = (com.sun.management.ThreadMXBean) threads;
        long self = Thread.currentThread().getId();
        DiffEngine engine = new DiffEngine(DiffPolicy.of(SyncConfig.defaults(), PathValidator::validate));
        StringBuilder jsonOut = new StringBuilder();
        if (!json) {
            System.out.println("| mix | operation | median wall ms | median thread CPU ms | median GC ms | allocated MB |");
            System.out.println("|---|---|---:|---:|---:|---:|");
        }
        for (DiffBenchmark.Mix mix : mixes) {
            DiffBenchmark bench = new DiffBenchmark();
            bench.mix = mix;
            DiffInput input = DiffBenchmark.input(mix, DiffBenchmark.FILES, 42L);
            bench.setUpWith(input);
            for (String op : List.of("plan", "baselineHashJoin")) {
                List<Double> wall = new ArrayList<>();
                List<Double> cpu = new ArrayList<>();
                List<Double> gc = new ArrayList<>();
                List<Double> allocated = new ArrayList<>();
                long sink = 0;
                for (int i = 0; i < warmups + runs; i++) {
                    long gc0 = gcMillis();
                    long a0 = allocations.getThreadAllocatedBytes(self);
                    long c0 = threads.getCurrentThreadCpuTime();
                    long w0 = System.nanoTime();
                    if (op.equals("plan")) {
                        Plan p = engine.plan(input);
                        sink += p.files().size() + p.unchanged();
                    } else {
                        sink += bench.baselineHashJoin();
                    }
                    long w1 = System.nanoTime();
                    long c1 = threads.getCurrentThreadCpuTime();
                    long a1 = allocations.getThreadAllocatedBytes(self);
                    long gc1 = gcMillis();
                    if (i >= warmups) {
                        wall.add((w1 - w0) / 1e6);
                        cpu.add((c1 - c0) / 1e6);
                        gc.add((double) (gc1 - gc0));
                        allocated.add((a1 - a0) / 1e6);
                    }
                }
                if (json) {
                    jsonOut.append(jsonOut.length() == 0 ? "" : ",").append(String.format(Locale.ROOT,
                            "\"%s_%s\":{\"wall_ms\":%.1f,\"cpu_ms\":%.1f,\"gc_ms\":%.1f,\"allocated_mb\":%.1f}",
                            mix, op, Results.median(wall), Results.median(cpu), Results.median(gc),
                            Results.median(allocated)));
                    if (mix == DiffBenchmark.Mix.UNCHANGED && op.equals("plan")) {
                        jsonOut.append(String.format(Locale.ROOT, ",\"diff_1m_ms\":%.1f", Results.median(wall)));
                    }
                } else {
                    System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %.0f | %.0f | %.1f |%n", mix, op,
                            Results.median(wall), Results.median(cpu), Results.median(gc), Results.median(allocated));
                }
                if (sink == 42) {
                    System.out.println();
                }
            }
        }
        if (json) {
            System.out.println("{\"files\":" + DiffBenchmark.FILES + ",\"warmups\":" + warmups + ",\"runs\":" + runs
                    + "," + jsonOut + "}");
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
