package com.silknote.sync.examples.demo;

import static java.util.Objects.requireNonNull;

import com.silknote.sync.core.model.FilesetId;
import com.silknote.sync.core.model.PatientId;
import com.silknote.sync.core.model.PatientUuid;
import com.silknote.sync.core.model.VsrxFileId;
import com.silknote.sync.testkit.InMemoryVsrxSource;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.random.RandomGenerator;

/**
 * The demo's VSRX: several patients with scans, letters and lab results, made on the fly from a seeded
 * generator so every demo tells the same story. Planted on purpose: a letter filed for two patients
 * (dedup), a file above the size limit, an executable posing as a PNG, a path-traversal attempt, a
 * fileset not linked to a Silknote patient yet, and a re-booked patient. All names and ids are invented.
 */
public final class DemoData {

    /** The files and filesets the demo's narration points at. */
    public record Story(
            List<FilesetId> filesets,
            FilesetId firstPatient,
            FilesetId secondPatient,
            FilesetId fourthPatient,
            FilesetId notLinked,
            FilesetId rebooked,
            VsrxFileId letter,
            VsrxFileId letterCopy,
            VsrxFileId oversized,
            VsrxFileId forgedMime,
            VsrxFileId traversal,
            VsrxFileId toModify,
            VsrxFileId toTouch,
            VsrxFileId toDelete,
            PatientUuid notLinkedPatient) {
        public Story {
            filesets = List.copyOf(filesets);
        }
    }

    private DemoData() { }

    /**
     * Fills an empty simulator with the demo's patients and files.
     *
     * @param maxFileSizeBytes the size limit the demo syncs with (the oversized file is above it)
     * @throws NullPointerException when an argument is null
     */
    public static Story populate(InMemoryVsrxSource vsrx, RandomGenerator random, long maxFileSizeBytes) {
        requireNonNull(vsrx, "vsrx");
        requireNonNull(random, "random");
        List<FilesetId> all = new ArrayList<>();

        FilesetId p1 = vsrx.addFileset(PatientId.of("P-100001"), patientUuid("demo-patient-1"));
        all.add(p1);
        VsrxFileId toModify = null;
        for (int i = 1; i <= 6; i++) {
            VsrxFileId id = vsrx.addFile(p1, "notes/scans/2026-0" + i + "-scan.jpg", "image/jpeg",
                    SampleFiles.jpeg(random, kib(random, 40, 160)));
            if (i == 1) {
                toModify = id;
            }
        }
        byte[] letterBytes = SampleFiles.pdf(random, "Referral letter", 48 * 1024);
        VsrxFileId letter = vsrx.addFile(p1, "notes/letters/referral.pdf", "application/pdf", letterBytes);
        VsrxFileId toTouch = vsrx.addFile(p1, "notes/lab/results.txt", "text/plain",
                SampleFiles.text("Hb 13.9 g/dL\nWBC 6.1\nCRP < 5\n"));

        FilesetId p2 = vsrx.addFileset(PatientId.of("P-100002"), patientUuid("demo-patient-2"));
        all.add(p2);
        VsrxFileId letterCopy = vsrx.addFile(p2, "notes/referral-copy.pdf", "application/pdf", letterBytes);
        for (int i = 1; i <= 4; i++) {
            vsrx.addFile(p2, "notes/photos/wound-" + i + ".png", "image/png", SampleFiles.png(random, kib(random, 30, 120)));
        }
        vsrx.addFile(p2, "notes/xray/chest.tiff", "image/tiff", SampleFiles.tiff(random, 200 * 1024));
        VsrxFileId oversized = vsrx.addFile(p2, "notes/scans/full-history.pdf", "application/pdf",
                SampleFiles.pdf(random, "Full history", (int) Math.min(Integer.MAX_VALUE - 1024, maxFileSizeBytes + 256 * 1024)));

        FilesetId p3 = vsrx.addFileset(PatientId.of("P-100003"), patientUuid("demo-patient-3"));
        all.add(p3);
        for (int i = 1; i <= 5; i++) {
            vsrx.addFile(p3, "notes/scans/page-" + i + ".jpg", "image/jpeg", SampleFiles.jpeg(random, kib(random, 40, 200)));
        }
        VsrxFileId forged = vsrx.newFile(p3).path("notes/invoice.png").mimeType("image/png")
                .content(SampleFiles.executable(random, 24 * 1024)).add();
        VsrxFileId traversal = vsrx.addFile(p3, "notes/../../etc/passwd", "text/plain",
                SampleFiles.text("root:x:0:0:root:/root:/bin/bash\n"));

        FilesetId p4 = vsrx.addFileset(PatientId.of("P-100004"), patientUuid("demo-patient-4"));
        all.add(p4);
        VsrxFileId toDelete = null;
        for (int i = 1; i <= 6; i++) {
            VsrxFileId id = vsrx.addFile(p4, "notes/visit-" + i + ".pdf", "application/pdf",
                    SampleFiles.pdf(random, "Visit note " + i, kib(random, 8, 40)));
            if (i == 3) {
                toDelete = id;
            }
        }

        PatientUuid notLinkedPatient = patientUuid("demo-patient-5");
        FilesetId p5 = vsrx.addFileset(PatientId.of("P-100005"));
        all.add(p5);
        vsrx.addFile(p5, "notes/intake.pdf", "application/pdf", SampleFiles.pdf(random, "Intake", 12 * 1024));
        vsrx.addFile(p5, "notes/consent.jpg", "image/jpeg", SampleFiles.jpeg(random, 60 * 1024));

        FilesetId rebooked = vsrx.rebook(p1, PatientId.of("P-100006"));
        all.add(rebooked);
        vsrx.addFile(rebooked, "notes/scans/follow-up.jpg", "image/jpeg", SampleFiles.jpeg(random, 90 * 1024));
        vsrx.addFile(rebooked, "notes/letters/discharge.pdf", "application/pdf",
                SampleFiles.pdf(random, "Discharge letter", 30 * 1024));

        return new Story(all, p1, p2, p4, p5, rebooked, letter, letterCopy, oversized, forged, traversal, toModify,
                toTouch, toDelete, notLinkedPatient);
    }

    /**
     * The second act: one scan re-scanned (new bytes), the lab results rewritten unchanged (new ETag, same
     * bytes), the copy of the letter and one visit note deleted in VSRX, a file added for the re-booked
     * patient, and the waiting fileset linked to its Silknote patient.
     *
     * @throws NullPointerException when an argument is null
     */
    public static void applyChanges(InMemoryVsrxSource vsrx, Story story, RandomGenerator random) {
        requireNonNull(vsrx, "vsrx");
        requireNonNull(story, "story");
        requireNonNull(random, "random");
        vsrx.modifyFile(story.toModify(), SampleFiles.jpeg(random, 110 * 1024));
        vsrx.touchFile(story.toTouch());
        vsrx.deleteFile(story.letterCopy());
        vsrx.deleteFile(story.toDelete());
        vsrx.addFile(story.rebooked(), "notes/lab/follow-up-results.txt", "text/plain",
                SampleFiles.text("Hb 14.2 g/dL\nWBC 5.8\n"));
        vsrx.linkPatient(story.notLinked(), story.notLinkedPatient());
    }

    /** An invented Silknote patient uuid, the same on every demo run. */
    static PatientUuid patientUuid(String name) {
        return new PatientUuid(UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)));
    }

    private static int kib(RandomGenerator random, int min, int max) {
        return (min + random.nextInt(max - min + 1)) * 1024;
    }
}
