package com.silknote.sync.examples.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** Collects a child process's output lines on a thread of its own; waits for lines without polling. */
final class ChildOutput {
    private final List<String> lines = new ArrayList<>();
    private boolean ended;

    ChildOutput(Process process) {
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    add(line);
                }
            } catch (IOException e) {
                // the process went away
            } finally {
                end();
            }
        }, "child-output");
        reader.setDaemon(true);
        reader.start();
    }

    private synchronized void add(String line) {
        lines.add(line);
        notifyAll();
    }

    private synchronized void end() {
        ended = true;
        notifyAll();
    }

    synchronized List<String> lines() {
        return List.copyOf(lines);
    }

    /** The first line matching {@code wanted}, waiting up to {@code seconds} for it; empty at end of output. */
    synchronized Optional<String> await(Predicate<String> wanted, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            Optional<String> hit = lines.stream().filter(wanted).findFirst();
            if (hit.isPresent() || ended) {
                return hit;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return Optional.empty();
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
    }
}
