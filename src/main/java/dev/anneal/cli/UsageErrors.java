package dev.anneal.cli;

import dev.anneal.config.Nearest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Usage errors, the same way for every command: one line {@code anneal: ...} that says what is wrong and, for a
 * misspelt command or option, the nearest valid name ({@code unknown option '--confg' for anneal train; did you
 * mean --config?}), then the usage of the command concerned; exit status 2.
 */
final class UsageErrors implements CommandLine.IParameterExceptionHandler {
    private static final Pattern UNKNOWN_SUBCOMMAND = Pattern.compile("Unknown subcommand '(.*)'\\.?");

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine cmd = ex.getCommandLine();
        PrintWriter err = cmd.getErr();
        err.println("anneal: " + describe(ex, cmd));
        cmd.usage(err, CommandLine.Help.Ansi.OFF);
        err.flush();
        return Main.BAD_INPUT;
    }

    /** The one line: what is wrong, with the nearest valid name where a name was misspelt. */
    static String describe(ParameterException ex, CommandLine cmd) {
        String unknownOption = firstOption(cmd.getUnmatchedArguments());
        if (ex instanceof UnmatchedArgumentException u) {
            List<String> unmatched = u.getUnmatched();
            String first = unmatched.isEmpty() ? "" : unmatched.get(0);
            String option = firstOption(unmatched);
            if (option != null) {
                return unknownOption(cmd, option);
            }
            if (!cmd.getSubcommands().isEmpty()) {
                return unknownCommand(cmd, first);
            }
            return "unexpected argument '" + first + "': " + name(cmd) + " takes no such argument";
        }
        if (unknownOption != null) {
            return unknownOption(cmd, unknownOption);
        }
        Matcher m = UNKNOWN_SUBCOMMAND.matcher(String.valueOf(ex.getMessage()));
        if (m.matches()) {
            CommandLine parent = cmd.getParent() != null ? cmd.getParent() : cmd;
            return unknownCommand(parent, m.group(1));
        }
        return sentence(String.valueOf(ex.getMessage()));
    }

    private static String unknownOption(CommandLine cmd, String arg) {
        String option = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
        List<String> names = new ArrayList<>();
        for (OptionSpec o : cmd.getCommandSpec().options()) {
            for (String n : o.names()) {
                if (n.startsWith("--")) {
                    names.add(n);
                }
            }
        }
        return "unknown option '" + option + "' for " + name(cmd) + hint(option, names);
    }

    private static String unknownCommand(CommandLine cmd, String word) {
        List<String> names = new ArrayList<>(cmd.getSubcommands().keySet());
        return "'" + word + "' is not a command of " + name(cmd) + hint(word, names);
    }

    private static String hint(String wrong, List<String> names) {
        Optional<String> nearest = Nearest.to(wrong, names);
        return nearest.map(n -> "; did you mean " + n + "?").orElse("; valid: " + String.join(", ", names));
    }

    private static String firstOption(List<String> args) {
        for (String a : args) {
            if (a.startsWith("-") && a.length() > 1) {
                return a;
            }
        }
        return null;
    }

    private static String name(CommandLine cmd) {
        CommandSpec spec = cmd.getCommandSpec();
        return spec.qualifiedName();
    }

    /** Picocli's message on one line, without a final period, with Java's type names in words. */
    private static String sentence(String message) {
        String s = message.strip().split("\\R", 2)[0];
        if (s.endsWith(".")) {
            s = s.substring(0, s.length() - 1);
        }
        s = s.replace("' is not a long", "' is not a whole number").replace("' is not an int", "' is not a whole number")
                .replace("' is not a double", "' is not a number");
        return s;
    }
}
