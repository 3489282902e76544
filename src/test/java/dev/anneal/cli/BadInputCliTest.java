package dev.anneal.cli;

import static dev.anneal.cli.BadInputAssert.usageError;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * A misspelt command or option, for every command: one line {@code anneal: ...} naming the nearest valid name,
 * then the usage of the command concerned; exit status 2.
 */
class BadInputCliTest {
    @Test
    void misspeltCommand() {
        usageError(CliRun.of("trian"), "anneal: 'trian' is not a command of anneal; did you mean train?");
    }

    @Test
    void misspeltCommandAfterHelp() {
        usageError(CliRun.of("help", "trian"), "'trian' is not a command of anneal; did you mean train?");
    }

    @Test
    void unknownCommandListsTheValidOnes() {
        usageError(CliRun.of("xyzzy"), "'xyzzy' is not a command of anneal; valid: train, schedule, config");
    }

    @Test
    void misspeltOptionOfTrain() {
        usageError(CliRun.of("train", "--confg", "x.yaml"),
                "anneal: unknown option '--confg' for anneal train; did you mean --config?");
    }

    @Test
    void misspeltOptionWithEqualsSign() {
        usageError(CliRun.of("train", "--run-dri=out"), "unknown option '--run-dri' for anneal train; did you mean "
                + "--run-dir?");
    }

    @Test
    void misspeltOptionOfScheduleBeatsTheMissingRequiredOne() {
        String line = usageError(CliRun.of("schedule", "--step", "5"),
                "unknown option '--step' for anneal schedule; did you mean --steps?");
        assertTrue(!line.contains("Missing"), line);
    }

    @Test
    void misspeltOptionOfScheduleAfterValidOnes() {
        usageError(CliRun.of("schedule", "--config", "x.yaml", "--steps", "5", "--plott", "a.png"),
                "unknown option '--plott' for anneal schedule; did you mean --plot?");
    }

    @Test
    void misspeltSubcommandOfConfig() {
        usageError(CliRun.of("config", "chek", "x.yaml"),
                "'chek' is not a command of anneal config; did you mean check?");
    }

    @Test
    void unknownOptionOfConfigCheck() {
        usageError(CliRun.of("config", "check", "x.yaml", "--sett", "a=1"),
                "unknown option '--sett' for anneal config check; did you mean --set?");
    }

    @Test
    void misspeltSubcommandOfBench() {
        usageError(CliRun.of("bench", "kernals"), "'kernals' is not a command of anneal bench; did you mean kernels?");
    }

    @Test
    void misspeltOptionOfBenchKernels() {
        usageError(CliRun.of("bench", "kernels", "--sizs", "5"),
                "unknown option '--sizs' for anneal bench kernels; did you mean --sizes?");
    }

    @Test
    void misspeltOptionOfBenchStep() {
        usageError(CliRun.of("bench", "step", "--warmpu", "1"),
                "unknown option '--warmpu' for anneal bench step; did you mean --warmup?");
    }

    @Test
    void unknownOptionOfDevicesListsTheValidOnes() {
        usageError(CliRun.of("devices", "--foo"), "unknown option '--foo' for anneal devices; valid: --help");
    }

    @Test
    void unexpectedArgument() {
        usageError(CliRun.of("train", "extra"), "unexpected argument 'extra': anneal train takes no such argument");
    }

    @Test
    void missingRequiredOption() {
        usageError(CliRun.of("schedule", "--config", "x.yaml"), "anneal: Missing required option: '--steps=N'");
    }

    @Test
    void valueOfTheWrongTypeSaysWhatIsExpected() {
        usageError(CliRun.of("schedule", "--config", "x.yaml", "--steps", "abc"),
                "Invalid value for option '--steps': 'abc' is not a whole number");
    }

    @Test
    void missingCommand() {
        usageError(CliRun.of(), "anneal: Missing a command; try: anneal train");
    }
}
