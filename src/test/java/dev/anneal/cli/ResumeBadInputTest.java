package dev.anneal.cli;

import static dev.anneal.cli.RunDirSnapshot.assertBadInput;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.anneal.train.Safetensors;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@code anneal train --resume} of a run whose files are damaged: every case is one stderr line naming the file
 * and what is wrong, exit status 2, and not one byte or modification time of the run directory changed.
 */
class ResumeBadInputTest {
    static final String NEWEST = ResumeFixture.NEWEST;
    static final String OLDER = ResumeFixture.OLDER;

    @TempDir
    static Path shared;
    static Path base;

    @TempDir
    Path dir;

    @FunctionalInterface
    interface Damage {
        void apply(Path run) throws IOException;
    }

    @BeforeAll
    static void trainTheBaseRun() throws IOException {
        base = ResumeFixture.trainBase(shared);
    }

    private Path copyOfBase(Path into) throws IOException {
        return ResumeFixture.copy(base, into);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void damagedRunIsRefusedInOneLineNamingTheFileAndNothingChanges(String name, Damage damage, String file,
                                                                      String what) throws IOException {
        Path run = copyOfBase(dir);
        damage.apply(run);
        RunDirSnapshot before = RunDirSnapshot.of(run);
        CliRun r = CliRun.of("train", "--resume", run.toString());
        assertBadInput(r, run.resolve(file).toString(), what);
        assertEquals(before, RunDirSnapshot.of(run), "the run directory must not change");
    }

    static Stream<Arguments> damages() {
        List<Arguments> all = new ArrayList<>();
        for (String f : List.of("model.safetensors", "optimizer.safetensors", "trainer.json")) {
            all.add(newest(f + " missing", f, "missing", run -> Files.delete(run.resolve(NEWEST).resolve(f))));
            all.add(newest(f + " empty", f, "is empty", run -> Files.write(run.resolve(NEWEST).resolve(f),
                    new byte[0])));
            all.add(newest(f + " a directory", f, "is a directory", run -> {
                Files.delete(run.resolve(NEWEST).resolve(f));
                Files.createDirectory(run.resolve(NEWEST).resolve(f));
            }));
        }
        String m = "model.safetensors";
        String o = "optimizer.safetensors";
        for (int keep : new int[] {3, 8, 20}) {
            all.add(newest(m + " cut to " + keep + " bytes", m, "truncated", run -> truncate(run, m, keep)));
        }
        all.add(newest(m + " cut after its header", m, "truncated", run -> truncate(run, m, 8 + headerLength(run, m))));
        all.add(newest(m + " short of 4 bytes", m, "truncated", run -> truncate(run, m, size(run, m) - 4)));
        all.add(newest(o + " short of 100 bytes", o, "truncated", run -> truncate(run, o, size(run, o) - 100)));
        all.add(newest(m + " with bytes after its data", m, "bytes after its last tensor", run ->
                Files.write(run.resolve(NEWEST).resolve(m), new byte[] {1, 2, 3, 4},
                        java.nio.file.StandardOpenOption.APPEND)));
        all.add(newest(m + " with a huge header length", m, "header length", run -> {
            byte[] b = read(run, m);
            ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, Long.MAX_VALUE);
            write(run, m, b);
        }));
        all.add(newest(m + " with a header that is not JSON", m, "not valid JSON", run -> editHeader(run, m,
                h -> h.replace("{", "<"))));
        all.add(newest(m + " with a header that is a list", m, "not a JSON object", run -> editHeader(run, m,
                h -> "[1, 2]")));
        all.add(newest(m + " with a repeated key", m, "not valid JSON", run -> editHeader(run, m,
                h -> h.replace("\"shape\"", "\"dtype\":\"F32\",\"shape\""))));
        all.add(newest(m + " of F16", m, "F16", run -> editHeader(run, m, h -> h.replace("F32", "F16"))));
        all.add(newest(m + " without a dtype", m, "dtype", run -> editHeader(run, m,
                h -> h.replace("\"dtype\":\"F32\"", "\"dtype\":1.0e0"))));
        all.add(newest(m + " with a negative dimension", m, "shape", run -> editHeader(run, m,
                h -> h.replace("\"shape\":[8,4]", "\"shape\":[-8,4]"))));
        all.add(newest(m + " with a text dimension", m, "shape", run -> editHeader(run, m,
                h -> h.replace("\"shape\":[8,4]", "\"shape\":[\"8\",4]"))));
        all.add(newest(m + " with transposed weights", m, "another model", run -> editHeader(run, m,
                h -> h.replace("\"shape\":[8,4]", "\"shape\":[4,8]"))));
        all.add(newest(m + " with a shape that disagrees with its offsets", m, "data_offsets", run ->
                editHeader(run, m, h -> h.replace("\"shape\":[8,4]", "\"shape\":[8,5]"))));
        all.add(newest(m + " with a renamed tensor", m, "holds no tensor 0.weight", run -> editHeader(run, m,
                h -> h.replace("\"0.weight\"", "\"1.weight\""))));
        all.add(newest(m + " with a tensor the model lacks", m, "4.weight", run -> rewrite(run, m,
                t -> t.add(new Safetensors.Tensor("4.weight", new int[] {2, 2}, new float[4])))));
        all.add(newest(o + " of another optimizer", o, "another optimizer", run -> rewrite(run, o,
                t -> t.replaceAll(x -> new Safetensors.Tensor(x.name().replace("exp_avg_sq", "square_avg"),
                        x.shape(), x.values())))));
        all.add(newest(o + " with short buffers", o, "parameters", run -> rewrite(run, o,
                t -> t.replaceAll(x -> new Safetensors.Tensor(x.name(), new int[] {3}, new float[3])))));
        all.add(newest(o + " from another step", o, "optimizer_steps", run -> editHeader(run, o,
                h -> h.replace("\"optimizer_steps\":\"8\"", "\"optimizer_steps\":\"7\""))));
        all.add(newest(o + " with metadata that is no string", o, "__metadata__", run -> editHeader(run, o,
                h -> h.replace("\"optimizer_steps\":\"8\"", "\"optimizer_steps\":8.0e0"))));
        String t = "trainer.json";
        all.add(trainerJson("not JSON", "not valid JSON", s -> s.substring(0, s.length() / 2)));
        all.add(trainerJson("a list", "must be a JSON object", s -> "[" + s + "]"));
        all.add(trainerJson("text after the object", "not valid JSON", s -> s + " {}"));
        all.add(trainerJson("updates as text", "field \"updates\" must be a non-negative integer, got \"abc\"",
                s -> s.replace("\"updates\" : 8", "\"updates\" : \"abc\"")));
        all.add(trainerJson("negative updates", "field \"updates\" must be a non-negative integer, got -3",
                s -> s.replace("\"updates\" : 8", "\"updates\" : -3")));
        all.add(trainerJson("fractional epoch", "field \"epoch\" must be a non-negative integer, got 1.5",
                s -> s.replace("\"epoch\" : 2", "\"epoch\" : 1.5")));
        all.add(trainerJson("a huge counter", "field \"skippedTotal\" must be a non-negative integer",
                s -> s.replace("\"skippedTotal\" : 0", "\"skippedTotal\" : 99999999999999999999999")));
        all.add(trainerJson("a missing field", "field \"epoch\" is missing",
                s -> s.replace("\"epoch\" : 2,", "")));
        all.add(trainerJson("an unknown field", "field \"learningRate\" is unknown",
                s -> s.replace("\"epoch\" : 2,", "\"epoch\" : 2, \"learningRate\" : 0.1,")));
        all.add(trainerJson("a flag as text", "field \"momentumStarted\" must be true or false",
                s -> s.replace("\"momentumStarted\" : false", "\"momentumStarted\" : \"no\"")));
        all.add(trainerJson("seconds as text", "field \"epochSeconds\" must be a number",
                s -> s.replace("\"epochSeconds\" : 0.0", "\"epochSeconds\" : \"fast\"")));
        all.add(trainerJson("plateau as a number", "field \"plateau\" must be null or an object",
                s -> s.replace("\"plateau\" : null", "\"plateau\" : 5")));
        all.add(trainerJson("a plateau state without a plateau schedule", "field \"plateau\" is set",
                s -> s.replace("\"plateau\" : null", "\"plateau\" : {\"lr\": 0.01, \"best\": \"Infinity\", "
                        + "\"badObservations\": 0, \"cooldownLeft\": 0, \"observations\": 2}")));
        all.add(trainerJson("updates of another step", "step-000000008",
                s -> s.replace("\"updates\" : 8", "\"updates\" : 12")));
        all.add(trainerJson("a data step past the epoch", "field \"stepInEpoch\" is 9",
                s -> s.replace("\"stepInEpoch\" : 0", "\"stepInEpoch\" : 9")));
        all.add(trainerJson("an epoch that disagrees with the updates", "\"skippedTotal\"",
                s -> s.replace("\"epoch\" : 2", "\"epoch\" : 1")));
        all.add(trainerJson("more skipped in a row than in all", "\"skippedInARow\" (3) cannot exceed",
                s -> s.replace("\"skippedInARow\" : 0", "\"skippedInARow\" : 3")));
        all.add(newest(t + " not UTF-8", t, "UTF-8", run -> write(run, t, new byte[] {'{', (byte) 0xC3, '}'})));
        all.add(Arguments.of("metrics.jsonl with a broken line", (Damage) run -> Files.writeString(
                run.resolve("metrics.jsonl"), "{\"epoch\": oops}\n", java.nio.file.StandardOpenOption.APPEND),
                "metrics.jsonl:3", "not a metrics line"));
        all.add(Arguments.of("config.yaml empty", (Damage) run -> Files.writeString(run.resolve("config.yaml"), ""),
                "config.yaml", "empty"));
        all.add(Arguments.of("config.yaml not YAML", (Damage) run -> Files.writeString(run.resolve("config.yaml"),
                "optimizer: [\n"), "config.yaml", "YAML"));
        all.add(Arguments.of("config.yaml of another model", (Damage) run -> edit(run.resolve("config.yaml"),
                s -> s.replace("hidden:\n  - 8", "hidden:\n  - 16")), NEWEST + "/model.safetensors", "another model"));
        all.add(Arguments.of("config.yaml of another data size", (Damage) run -> edit(run.resolve("config.yaml"),
                s -> s.replace("train_samples: 100", "train_samples: 60")), "data.json", "the data now loads with"));
        return all.stream();
    }

    @Test
    void damagedNewestCheckpointIsRefusedAndSaysWhichOlderOneIsIntact() throws IOException {
        Path run = copyOfBase(dir);
        edit(run.resolve(NEWEST).resolve("trainer.json"), s -> s.replace("\"updates\" : 8", "\"updates\" : \"abc\""));
        RunDirSnapshot before = RunDirSnapshot.of(run);
        CliRun r = CliRun.of("train", "--resume", run.toString());
        assertBadInput(r, run.resolve(NEWEST).resolve("trainer.json") + ": field \"updates\" must be a non-negative "
                + "integer, got \"abc\"", "the older checkpoint step-000000004 is intact: move " + run.resolve(NEWEST));
        assertEquals(before, RunDirSnapshot.of(run));
    }

    @Test
    void whenEveryCheckpointIsDamagedNoneIsOffered() throws IOException {
        Path run = copyOfBase(dir);
        Files.delete(run.resolve(NEWEST).resolve("model.safetensors"));
        Files.delete(run.resolve(OLDER).resolve("trainer.json"));
        CliRun r = CliRun.of("train", "--resume", run.toString());
        assertBadInput(r, run.resolve(NEWEST).resolve("model.safetensors") + ": missing");
        assertEquals(-1, r.err().indexOf("intact"), r.err());
    }

    @Test
    void notARunDirectoryIsOneLine() throws IOException {
        CliRun missing = CliRun.of("train", "--resume", dir.resolve("nowhere").toString());
        assertBadInput(missing, dir.resolve("nowhere") + ": no such directory");
        Files.writeString(dir.resolve("file"), "x");
        assertBadInput(CliRun.of("train", "--resume", dir.resolve("file").toString()), "file: not a directory");
        Path run = copyOfBase(dir);
        ResumeFixture.deleteTree(run.resolve("checkpoints"));
        Files.writeString(run.resolve("checkpoints"), "not a directory");
        RunDirSnapshot before = RunDirSnapshot.of(run);
        assertBadInput(CliRun.of("train", "--resume", run.toString()), "has no checkpoint to resume from");
        assertEquals(before, RunDirSnapshot.of(run));
    }

    private static Arguments newest(String name, String file, String what, Damage d) {
        return Arguments.of(name, d, NEWEST + "/" + file, what);
    }

    private static Arguments trainerJson(String name, String what, java.util.function.UnaryOperator<String> edit) {
        return newest("trainer.json with " + name, "trainer.json", what,
                run -> edit(run.resolve(NEWEST).resolve("trainer.json"), edit));
    }

    private static void edit(Path file, java.util.function.UnaryOperator<String> edit) throws IOException {
        String before = Files.readString(file);
        String after = edit.apply(before);
        if (after.equals(before)) {
            throw new IllegalStateException("the edit of " + file + " changed nothing: " + before);
        }
        Files.writeString(file, after);
    }

    private static byte[] read(Path run, String f) throws IOException {
        return Files.readAllBytes(run.resolve(NEWEST).resolve(f));
    }

    private static void write(Path run, String f, byte[] b) throws IOException {
        Files.write(run.resolve(NEWEST).resolve(f), b);
    }

    private static int size(Path run, String f) throws IOException {
        return read(run, f).length;
    }

    private static void truncate(Path run, String f, int length) throws IOException {
        write(run, f, Arrays.copyOf(read(run, f), length));
    }

    private static int headerLength(Path run, String f) throws IOException {
        return (int) ByteBuffer.wrap(read(run, f)).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** Replaces the header JSON, keeping the data (the length field is updated). */
    private static void editHeader(Path run, String f, java.util.function.UnaryOperator<String> edit)
            throws IOException {
        byte[] b = read(run, f);
        int n = headerLength(run, f);
        String header = new String(b, 8, n, StandardCharsets.UTF_8);
        byte[] edited = edit.apply(header).getBytes(StandardCharsets.UTF_8);
        if (new String(edited, StandardCharsets.UTF_8).equals(header)) {
            throw new IllegalStateException("the edit changed nothing: " + header);
        }
        ByteBuffer out = ByteBuffer.allocate(8 + edited.length + b.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
        out.putLong(edited.length).put(edited).put(b, 8 + n, b.length - 8 - n);
        write(run, f, out.array());
    }

    /** Rewrites a file well-formed, with its tensors changed. */
    private static void rewrite(Path run, String f, java.util.function.Consumer<List<Safetensors.Tensor>> change)
            throws IOException {
        Path file = run.resolve(NEWEST).resolve(f);
        Map<String, String> meta = Safetensors.metadata(file);
        List<Safetensors.Tensor> tensors = new ArrayList<>(Safetensors.read(file).values());
        change.accept(tensors);
        Safetensors.write(file, tensors, meta);
    }
}
