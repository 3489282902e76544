package dev.anneal.cli;

import dev.anneal.config.LoadedConfig;
import dev.anneal.config.ModelShapes;
import dev.anneal.config.ResolvedConfig;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code anneal config}: work with config files. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Validate and inspect config files.",
        subcommands = {ConfigCommand.Check.class})
final class ConfigCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "Missing a subcommand; try: config check FILE");
    }

    /**
     * {@code anneal config check FILE}: validate, then print the fully resolved config and, as YAML comments after
     * it, the model's summary table (layers, output shapes, parameters) where the data's shape is known without
     * reading its files (MNIST, Fashion-MNIST, synthetic).
     */
    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validate FILE and print the fully resolved config (every default filled in) as YAML, "
                    + "then the model's layers, output shapes and parameters as comments.")
    static final class Check implements Callable<Integer> {
        @Parameters(paramLabel = "FILE", description = "The YAML config to check.")
        Path file;

        @Mixin
        ConfigOverrides overrides;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            LoadedConfig loaded = LoadedConfig.load(file, overrides.assignments());
            var out = spec.commandLine().getOut();
            out.print(ResolvedConfig.toYaml(loaded.config()));
            var plan = ModelShapes.plan(loaded.config());
            if (plan.isPresent()) {
                out.println("# model for " + loaded.config().data().dataset() + " samples:");
                plan.get().summary().lines().forEach(l -> out.println("#   " + l));
            } else {
                out.println("# model: its shapes are known once the run reads the data ("
                        + loaded.config().data().dataset() + ")");
            }
            out.flush();
            return 0;
        }
    }
}
