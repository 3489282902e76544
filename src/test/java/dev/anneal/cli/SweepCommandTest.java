package dev.anneal.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import dev.anneal.tune.sweep.SweepRuns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code anneal sweep} end to end on small synthetic data: a trial is the run {@code anneal train} makes with the
 * same values (bit for bit), parallel trials give the sequential results, ASHA stops the poor trials and its
 * survivors match uninterrupted runs, a {@code sweep:} section works like the options, and bad specs fail in one
 * line before any trial.
 */
class SweepCommandTest {
    static final String CONFIG = """
            optimizer: {type: sgd, lr: 0.1, momentum: 0.9}
            schedule: {type: exponential, gamma: 0.99}
            model: {hidden: [16]}
            data: {dataset: synthetic, train_samples: 256, test_samples: 128, features: 8, classes: 4, batch_size: 32}
            train: {epochs: 3}
            """;

    @TempDir
    Path dir;

    private Path config(String text) throws IOException {
        Path c = dir.resolve("c.yaml");
        Files.writeString(c, text);
        return c;
    }

    @Test
    void aTrialIsExactlyTheRunAnnealTrainMakesWithTheSameValues() throws IOException {
        Path c = config(CONFIG);
        Path out = dir.resolve("sweep");
        CliRun sweep = CliRun.of("sweep", "--config", c.toString(), "--grid", "optimizer.lr=[0.01, 0.05]",
                "--set", "schedule.gamma=0.95", "--out", out.toString());
        assertEquals(0, sweep.status(), sweep.err() + sweep.out());
        Path direct = dir.resolve("direct");
        CliRun train = CliRun.of("train", "--config", c.toString(), "--run-dir", direct.toString(),
                "--set", "schedule.gamma=0.95", "--set", "optimizer.lr=0.05");
        assertEquals(0, train.status(), train.err());
        SweepRuns.assertSameRun(direct, out.resolve("trial-001"));
        assertTrue(Files.readString(out.resolve("trial-001/config.yaml")).contains("lr: 0.05"));
        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals("trial,optimizer.lr,status,final_test_accuracy,best_test_accuracy,test_loss,test_accuracy,epochs,"
                + "seconds", csv.get(0));
        assertEquals(3, csv.size());
        assertTrue(csv.get(2).startsWith("1,0.05,done,"), csv.get(2));
        assertTrue(Files.size(out.resolve("sweep.png")) > 1000);
        assertTrue(Files.readString(out.resolve("best.yaml")).contains("optimizer:"));
        assertTrue(sweep.out().contains("<- best"), sweep.out());
    }

    @Test
    void parallelTrialsGiveTheSequentialResults() throws IOException {
        Path c = config(CONFIG);
        String[] grid = {"--grid", "optimizer.lr=[0.01, 0.1]", "--grid", "schedule.gamma=[0.9, 0.99]",
            "--trial-threads", "1"};
        Path seq = dir.resolve("seq");
        Path par = dir.resolve("par");
        assertEquals(0, run(c, seq, grid, "--parallel", "1").status());
        CliRun p = run(c, par, grid, "--parallel", "2");
        assertEquals(0, p.status(), p.err());
        assertTrue(p.out().contains("2 at a time, 1 CPU thread each"), p.out());
        assertEquals(SweepRuns.withoutSeconds(seq.resolve("sweep.csv")),
                SweepRuns.withoutSeconds(par.resolve("sweep.csv")));
        for (int t = 0; t < 4; t++) {
            SweepRuns.assertSameRun(seq.resolve("trial-00" + t), par.resolve("trial-00" + t));
        }
    }

    @Test
    void ashaStopsThePoorTrialsAndItsSurvivorsMatchUninterruptedRuns() throws IOException {
        Path c = config(CONFIG);
        Path out = dir.resolve("asha");
        CliRun r = CliRun.of("sweep", "--config", c.toString(), "--grid", "optimizer.lr=[0.05, 1e-5, 1e-6, 0.03]",
                "--early-stop", "asha", "--eta", "3", "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        List<String> rows = Files.readAllLines(out.resolve("sweep.csv"));
        assertEquals(List.of("done", "stopped", "stopped", "done"), column(rows, "status"));
        assertEquals(List.of("3", "1", "1", "3"), column(rows, "epochs"));
        assertEquals(List.of("trial,epochs,metric"), Files.readAllLines(out.resolve("rungs.csv")).subList(0, 1));
        Path direct = dir.resolve("direct");
        assertEquals(0, CliRun.of("train", "--config", c.toString(), "--run-dir", direct.toString(),
                "--set", "optimizer.lr=0.03").status());
        SweepRuns.assertSameRun(direct, out.resolve("trial-003"));
        assertTrue(Files.readString(out.resolve("trial-001/config.yaml")).contains("epochs: 1"));
    }

    @Test
    void aSweepSectionInTheConfigRunsLikeTheOptions() throws IOException {
        Path c = config(CONFIG + """
                sweep:
                  method: grid
                  metric: {name: test_loss, goal: minimize}
                  parameters:
                    optimizer.lr: {values: [0.02, 0.2]}
                """);
        Path out = dir.resolve("section");
        CliRun r = CliRun.of("sweep", "--config", c.toString(), "--out", out.toString());
        assertEquals(0, r.status(), r.err() + r.out());
        assertFalse(Files.readString(out.resolve("base.yaml")).contains("sweep"));
        List<String> csv = Files.readAllLines(out.resolve("sweep.csv"));
        assertTrue(csv.get(0).contains("final_test_loss,best_test_loss"), csv.get(0));
        Path plain = config(CONFIG);
        Path direct = dir.resolve("direct");
        assertEquals(0, CliRun.of("train", "--config", plain.toString(), "--run-dir", direct.toString(),
                "--set", "optimizer.lr=0.2").status());
        SweepRuns.assertSameRun(direct, out.resolve("trial-001"));
    }

    @Test
    void aDryRunChecksAndListsEveryTrialAndWritesNothing() throws IOException {
        Path c = config(CONFIG);
        Path out = dir.resolve("dry");
        CliRun r = CliRun.of("sweep", "--config", c.toString(), "--out", out.toString(), "--dry-run",
                "--grid", "optimizer.lr=[0.01,0.1]", "--grid", "schedule.gamma=linspace(0.9,0.99,3)");
        assertEquals(0, r.status(), r.err() + r.out());
        assertTrue(r.out().contains("sweep of 6 trials (grid over optimizer.lr, schedule.gamma): every trial's config "
                + "is valid; --dry-run: none run"), r.out());
        assertTrue(r.out().contains("trial-000 optimizer.lr=0.01 schedule.gamma=0.9\n"), r.out());
        assertTrue(r.out().contains("trial-005 optimizer.lr=0.1 schedule.gamma=0.99\n"), r.out());
        assertFalse(Files.exists(out), "a dry run writes nothing");
        CliRun bad = CliRun.of("sweep", "--config", c.toString(), "--out", out.toString(), "--dry-run",
                "--grid", "optimizer.momentum=[0.5,-1]");
        assertEquals(2, bad.status(), bad.out());
        assertFalse(Files.exists(out));
    }

    @Test
    void badSpecsFailBeforeAnyTrialInOneLine() throws IOException {
        Path c = config(CONFIG);
        String[][] cases = {
            {"--grid", "optimizer.lrr=[0.1]"},
            {"--grid", "optimizer.lr=[0.1, fast]"},
            {"--grid", "optimizer.lr=[]"},
            {"--grid", "optimizer.lr=logspace(-5, 0)"},
            {"--grid", "optimizer.lr=logspace(-5,0,50)", "--grid", "schedule.gamma=linspace(0.5,0.99,50)"},
            {"--grid", "optimizer.lr=logspace(-5,0,1000)", "--grid", "schedule.gamma=linspace(0.5,0.99,1000)",
                "--yes"},
            {"--grid", "optimizer.lr=[0.1]", "--random", "3", "--space", "schedule.gamma=uniform(0.5, 0.9)"},
            {"--random", "3", "--space", "optimizer.lr=logspace(-5, 0, 3)", "--space", "schedule.gamma=gauss(1)"},
            {"--grid", "optimizer.lr=uniform(0.01, 0.1)"},
            {"--grid", "train.epochs=[2, 2.5]"},
        };
        String[] expected = {"did you mean lr?", "optimizer.lr", "empty", "logspace takes (start, stop, num)",
            "add --yes", "more than the 100000", "give one of them", "unknown function gauss", "use it with --random",
            "train.epochs"};
        for (int i = 0; i < cases.length; i++) {
            Path out = dir.resolve("bad" + i);
            List<String> args = new ArrayList<>(List.of("sweep", "--config", c.toString(), "--out", out.toString()));
            args.addAll(List.of(cases[i]));
            CliRun r = CliRun.of(args.toArray(String[]::new));
            String what = String.join(" ", cases[i]) + " -> " + r.err();
            assertEquals(2, r.status(), what);
            assertEquals(1, r.err().strip().lines().count(), what);
            assertTrue(r.err().startsWith("anneal: ") && r.err().contains(expected[i]), what);
            assertFalse(Files.exists(out), what);
        }
    }

    private CliRun run(Path c, Path out, String[] spec, String... more) {
        List<String> args = new ArrayList<>(List.of("sweep", "--config", c.toString(), "--out", out.toString()));
        args.addAll(List.of(spec));
        args.addAll(List.of(more));
        return CliRun.of(args.toArray(String[]::new));
    }

    private static List<String> column(List<String> csv, String name) {
        int i = List.of(csv.get(0).split(",")).indexOf(name);
        return csv.subList(1, csv.size()).stream().map(l -> l.split(",")[i]).toList();
    }
}
