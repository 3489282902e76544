package dev.anneal.cli;

import static dev.anneal.cli.BadInputAssert.oneLine;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Config files that are not (valid) YAML text: one line naming the file, the line and the fix; exit 2. */
class BadInputYamlTest {
    private static final String GOOD = "optimizer:\n  type: sgd\n  lr: 0.1\n";

    @TempDir
    Path dir;

    private Path file(String name, byte[] bytes) throws IOException {
        return Files.write(dir.resolve(name), bytes);
    }

    private Path yaml(String text) throws IOException {
        return file("x.yaml", text.getBytes(StandardCharsets.UTF_8));
    }

    private static CliRun check(Path config, String... sets) {
        String[] args = new String[3 + 2 * sets.length];
        args[0] = "config";
        args[1] = "check";
        args[2] = config.toString();
        for (int i = 0; i < sets.length; i++) {
            args[3 + 2 * i] = "--set";
            args[4 + 2 * i] = sets[i];
        }
        return CliRun.of(args);
    }

    @Test
    void aPngImageIsNamedAsOne() throws IOException {
        Path png = file("plot.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13});
        oneLine(check(png), png + ": is a PNG image, not a YAML text file; pass a YAML config");
    }

    @Test
    void aGzipFileIsNamedAsOne() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(out)) {
            z.write(GOOD.getBytes(StandardCharsets.UTF_8));
        }
        Path gz = file("c.yaml.gz", out.toByteArray());
        oneLine(check(gz), gz + ": is gzip-compressed data, not a YAML text file");
    }

    @Test
    void trainSaysTheSameForABinaryConfig() throws IOException {
        Path png = file("plot.png", new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0});
        oneLine(CliRun.of("train", "--config", png.toString(), "--run-dir", dir.resolve("run").toString()),
                png + ": is a PNG image");
        org.junit.jupiter.api.Assertions.assertFalse(Files.exists(dir.resolve("run")), "no run directory");
    }

    @Test
    void invalidUtf8NamesTheLineColumnAndByte() throws IOException {
        byte[] bytes = "optimizer:\n  type: sgd\n  lr: 0.1 \u0000".getBytes(StandardCharsets.UTF_8);
        bytes[bytes.length - 1] = (byte) 0xff;
        Path p = file("latin.yaml", bytes);
        oneLine(check(p), p + ":3: is not UTF-8 text (byte 0xff at column 11); save the file as UTF-8");
    }

    @Test
    void utf16IsAskedToBeSavedAsUtf8() throws IOException {
        Path p = file("wide.yaml", GOOD.getBytes(StandardCharsets.UTF_16));
        oneLine(check(p), p + ": is UTF-16 text; save the file as UTF-8");
    }

    @Test
    void aZeroByteIsBinaryDataAtItsLine() throws IOException {
        Path p = file("nul.yaml", (GOOD + "schedule:\u0000\n").getBytes(StandardCharsets.UTF_8));
        oneLine(check(p), p + ":4: holds binary data");
    }

    @Test
    void aDirectoryIsNotAConfig() {
        oneLine(check(dir), dir + ": is a directory, not a config file");
    }

    @Test
    void tabIndentationIsReportedAtTheTabsLine() throws IOException {
        Path p = yaml("optimizer:\n\ttype: sgd\n\tlr: 0.1\n");
        oneLine(check(p), p + ":2: not valid YAML: a tab character indents this line", "replace the tab with spaces");
    }

    @Test
    void tabFurtherDownIsReportedAtItsOwnLineNotTheOneBefore() throws IOException {
        Path p = yaml(GOOD + "schedule:\n\ttype: step\n");
        oneLine(check(p), p + ":5: not valid YAML: a tab character");
    }

    @Test
    void unclosedBracketIsReportedWhereItOpened() throws IOException {
        Path p = yaml("optimizer:\n  type: sgd\n  lr: 0.1\nschedule:\n  type: multi_step\n  milestones: [30, 60\n");
        oneLine(check(p), p + ":6: not valid YAML: the '[' opened on this line is not closed", "']'");
    }

    @Test
    void unclosedBraceIsReportedWhereItOpened() throws IOException {
        Path p = yaml("optimizer: {type: sgd, lr: 0.1\nschedule:\n  type: step\n");
        oneLine(check(p), p + ":1: not valid YAML: the '{' opened on this line is not closed", "'}'");
    }

    @Test
    void unclosedQuoteIsReportedWhereItOpened() throws IOException {
        Path p = yaml("optimizer:\n  type: \"sgd\n  lr: 0.1\n");
        oneLine(check(p), p + ":2: not valid YAML: the quote opened on this line is not closed");
    }

    @Test
    void duplicateKeyNamesBothLines() throws IOException {
        Path p = yaml(GOOD + "  lr: 0.2\n");
        oneLine(check(p), p + ":4: optimizer.lr is written twice (first on line 3); keep one of them");
    }

    @Test
    void duplicateSectionNamesBothLines() throws IOException {
        Path p = yaml(GOOD + "optimizer:\n  type: adam\n");
        oneLine(check(p), p + ":4: optimizer is written twice (first on line 1)");
    }

    @Test
    void duplicateKeyInsideAFlowMapping() throws IOException {
        Path p = yaml("optimizer: {type: sgd, lr: 0.1, lr: 0.2}\n");
        oneLine(check(p), p + ":1: optimizer.lr is written twice");
    }

    @Test
    void misindentedKeyIsReportedAtItsLine() throws IOException {
        Path p = yaml("optimizer:\n  type: sgd\n   lr: 0.1\n");
        oneLine(check(p), p + ":3: not valid YAML: a ':' where no key can start");
    }

    @Test
    void emptyFileSaysWhatAConfigNeeds() throws IOException {
        Path p = yaml("");
        oneLine(check(p), p + ": the file is empty; a config needs at least an optimizer section");
    }

    @ParameterizedTest
    @ValueSource(strings = {"# only a comment\n", "---\n", "\n\n# nothing\n---\n"})
    void fileWithoutSettingsSaysSo(String text) throws IOException {
        Path p = yaml(text);
        oneLine(check(p), p + ": holds no settings");
    }

    @Test
    void topLevelListIsNotAMapping() throws IOException {
        Path p = yaml("# a list\n- optimizer\n- schedule\n");
        oneLine(check(p), p + ":2: the top level must be a mapping of sections (optimizer:, schedule:), got a list");
    }

    @Test
    void topLevelScalarIsNotAMapping() throws IOException {
        Path p = yaml("sgd\n");
        oneLine(check(p), p + ":1: the top level must be a mapping of sections", "got 'sgd'");
    }

    @Test
    void secondDocumentIsRefusedAtItsSeparator() throws IOException {
        Path p = yaml(GOOD + "---\noptimizer:\n  type: adam\n");
        oneLine(check(p), p + ":4: a second YAML document starts here", "remove the '---' line");
    }

    @Test
    void nanIsReadAsAFloatAndRejectedByTheKeysRule() throws IOException {
        Path p = yaml("optimizer:\n  type: sgd\n  lr: .nan\n");
        oneLine(check(p), p + ":3: optimizer.lr must be a finite number, got NaN");
    }

    @Test
    void infinityIsRejectedByTheKeysRule() throws IOException {
        Path p = yaml("optimizer:\n  type: sgd\n  lr: .inf\n");
        oneLine(check(p), p + ":3: optimizer.lr must be a finite number, got Infinity");
    }

    @Test
    void negativeInfinityIsRejectedByTheKeysRule() throws IOException {
        Path p = yaml(GOOD + "  momentum: -.Inf\n");
        oneLine(check(p), p + ":4: optimizer.momentum must be a finite number, got -Infinity");
    }

    @Test
    void nanInAListIsRejectedAtItsElement() throws IOException {
        Path p = yaml("optimizer:\n  type: adam\n  betas: [.NaN, 0.999]\n");
        oneLine(check(p), p + ":3: optimizer.betas[0] must be in [0, 1), got NaN");
    }

    @Test
    void nanInAScheduleIsRejectedAtItsKey() throws IOException {
        Path p = yaml(GOOD + "schedule:\n  type: step\n  step_size: 10\n  gamma: .NAN\n");
        oneLine(check(p), p + ":7: schedule.gamma must be a finite number, got NaN");
    }

    @Test
    void nanInASetOverrideIsRejectedByTheKeysRule() throws IOException {
        oneLine(check(yaml(GOOD), "optimizer.lr=.nan"), "--set optimizer.lr=.nan: optimizer.lr must be a finite "
                + "number, got NaN");
    }

    @Test
    void infinityInsideASetMappingIsRejectedAtTheKey() throws IOException {
        oneLine(check(yaml(GOOD), "schedule={type: cosine, t_max: 10, eta_min: -.inf}"),
                "--set schedule={type: cosine, t_max: 10, eta_min: -.inf}: schedule.eta_min ", "-Infinity");
    }

    @Test
    void nanInAnIntegerKeyIsNotAWholeNumber() throws IOException {
        Path p = yaml(GOOD + "train:\n  epochs: .nan\n");
        oneLine(check(p), p + ":5: train.epochs must be a whole number");
    }

    @Test
    void integerTooLargeForItsKeyNamesTheLimit() throws IOException {
        Path p = yaml(GOOD + "data:\n  batch_size: 3000000000\n");
        oneLine(check(p), p + ":5: data.batch_size 3000000000 is larger than 2147483647");
    }

    @Test
    void setValueThatIsNotYamlSaysSo() throws IOException {
        oneLine(check(yaml(GOOD), "schedule.milestones=[30, 60"),
                "--set schedule.milestones=[30, 60: the value of schedule.milestones is not valid YAML: the '[' "
                        + "opened is not closed");
    }

    @Test
    void setIndexTooLargeForAnyListIsOneLine() throws IOException {
        oneLine(check(yaml(GOOD), "schedule.schedules[99999999999].t_max=5"),
                "--set schedule.schedules[99999999999].t_max=5: index [99999999999]");
    }
}
