package dev.anneal.cli;

import dev.anneal.config.ConfigError;
import dev.anneal.spec.BadInput;
import dev.anneal.train.TrainingStopped;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code anneal}: the command line. Each subcommand only translates its arguments into domain records and
 * calls the library; a usage error prints one line (with the nearest valid name for a misspelt command or
 * option, {@link UsageErrors}) and the usage and exits 2, bad input (config, files) prints one line and exits 2,
 * an unexpected failure prints its stack trace and exits 1.
 */
@Command(name = "anneal", mixinStandardHelpOptions = true, versionProvider = VersionProvider.class,
        description = "Neural-network training for the JVM: exact learning-rate schedules, fused optimizers.",
        subcommands = {TrainCommand.class, ScheduleCommand.class, ConfigCommand.class, DevicesCommand.class,
                BenchCommand.class, LrFindCommand.class, SweepCommand.class, EvalCommand.class, PredictCommand.class,
                CommandLine.HelpCommand.class})
public final class Main implements Runnable {
    /** Exit status for input the user must fix. */
    public static final int BAD_INPUT = 2;

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing a command; try: anneal train");
    }

    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(execute(out, err, args));
    }

    /** The commands that write files and are not made for several processes. */
    private static final java.util.Set<String> ONE_PROCESS = java.util.Set.of("lr-find", "sweep", "eval", "predict",
            "bench");

    /**
     * Under {@code mpirun} / {@code srun} only {@code train} joins the other processes; a command that writes files
     * (lr-find, sweep, eval, predict, bench) would run once per process, each writing the same outputs, so it is
     * refused with a line saying to start it alone.
     */
    private static void onlyTrainSpansProcesses(CommandLine.ParseResult parseResult) {
        if (!parseResult.hasSubcommand()) {
            return;
        }
        String name = parseResult.subcommand().commandSpec().name();
        dev.anneal.distributed.Launch launch = dev.anneal.distributed.Launch.detect();
        if (ONE_PROCESS.contains(name) && launch.multiProcess()) {
            throw new CommandLine.ExecutionException(parseResult.commandSpec().commandLine(), "", new BadInput(
                    name + " runs in one process, but " + launch.launcher() + " started "
                    + launch.size() + "; start it without mpirun/srun (only anneal train spans processes)"));
        }
    }

    /** Runs the CLI with the given streams and returns the exit status (tests call this). */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(new UsageErrors());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof ConfigError || e instanceof BadInput) {
                commandLine.getErr().println("anneal: " + e.getMessage());
                commandLine.getErr().flush();
                return BAD_INPUT;
            }
            if (e instanceof TrainingStopped) {
                commandLine.getErr().println("anneal: " + e.getMessage());
                commandLine.getErr().flush();
                return 1;
            }
            throw e;
        });
        cl.setExecutionStrategy(parseResult -> {
            onlyTrainSpansProcesses(parseResult);
            return new CommandLine.RunLast().execute(parseResult);
        });
        int status = cl.execute(args);
        out.flush();
        err.flush();
        return status;
    }
}
