package dev.anneal.tune.sweep;

import dev.anneal.cli.Main;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The JVM of one trial segment: {@code TrialMain LOCK FRESH_DIR|- anneal-args...} runs {@code anneal
 * <anneal-args>} ({@code train ...}) exactly as the command line would, with three guards for a sweep that may
 * be killed at any moment:
 * <ul>
 *   <li>it exits as soon as its standard input ends: the sweep holds the other end of that pipe, so when the
 *   sweep dies (even by {@code kill -9}) the operating system closes it and no orphaned trial keeps writing;</li>
 *   <li>it holds an exclusive lock on {@code LOCK} (a file in the sweep directory) while it runs, so the segment
 *   that a resumed sweep starts waits until an orphan of the killed sweep has exited;</li>
 *   <li>given {@code FRESH_DIR}, it deletes that directory under the lock before starting: a trial killed before
 *   its first checkpoint restarts from scratch.</li>
 * </ul>
 */
public final class TrialMain {
    private TrialMain() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        Thread watchdog = new Thread(TrialMain::exitWhenInputEnds, "sweep-watchdog");
        watchdog.setDaemon(true);
        watchdog.start();
        Path lockFile = Path.of(args[0]);
        Files.createDirectories(lockFile.toAbsolutePath().getParent());
        int status;
        try (FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = ch.lock()) {
            if (!args[1].equals("-")) {
                deleteTree(Path.of(args[1]));
            }
            PrintWriter out = new PrintWriter(System.out, true);
            PrintWriter err = new PrintWriter(System.err, true);
            status = Main.execute(out, err, Arrays.copyOfRange(args, 2, args.length));
        }
        System.exit(status);
    }

    private static void exitWhenInputEnds() {
        try {
            while (System.in.read() != -1) {
                // the sweep writes nothing; any byte is ignored
            }
        } catch (IOException e) {
            // a broken pipe means the same as its end
        }
        Runtime.getRuntime().halt(137);
    }

    static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> all = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
