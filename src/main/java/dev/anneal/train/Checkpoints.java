package dev.anneal.train;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.io.FilePermissions;
import dev.anneal.model.NamedTensor;
import dev.anneal.model.Sequential;
import dev.anneal.optim.Optimizer;
import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checkpoints of a run, under {@code RUN/checkpoints/step-NNNNNNNNN/}:
 * <ul>
 *   <li>{@code model.safetensors}: the model's {@code state_dict} with PyTorch's {@code nn.Sequential} names
 *       ({@code 0.weight} ..., batch norm's {@code 1.running_mean}, {@code 1.running_var} and int64
 *       {@code 1.num_batches_tracked}), loadable with {@code safetensors.torch.load_file} and
 *       {@code load_state_dict(strict=True)} into the equivalent PyTorch model; with several replicas the running
 *       statistics are replica 0's;</li>
 *   <li>{@code optimizer.safetensors}: the optimizer's state buffers by PyTorch's names ({@code exp_avg} ...),
 *       flat over the parameter buffer;</li>
 *   <li>{@code trainer.json}: {@link TrainerState}.</li>
 * </ul>
 * A checkpoint is written into a hidden temporary directory, every file forced to disk, then renamed into place
 * in one atomic step; a crash at any moment leaves either the complete new checkpoint or none (the temporary
 * directory is ignored and removed later). The newest {@code keep} checkpoints are kept.
 *
 * <p>With {@code train.keep_best}, {@link #saveBest} also keeps one checkpoint in {@code RUN/checkpoints/best/},
 * which rotation never deletes. It is written the same way into a temporary directory; the old one is then renamed
 * to {@code .best-old} and the new one renamed into place, so a crash leaves either a complete {@code best/} or, in
 * the moment between the two renames, the previous one as {@code .best-old}, which the next save puts back.
 */
public final class Checkpoints {
    private static final Pattern NAME = Pattern.compile("step-(\\d+)");

    /** Called after each file of a checkpoint is written (tests use it to simulate a crash mid-write). */
    @FunctionalInterface
    interface WriteHook {
        void afterFile(String name) throws IOException;
    }

    private final Path dir;
    private final long keep;
    private final WriteHook hook;

    public Checkpoints(Path runDir, long keep) {
        this(runDir, keep, name -> { });
    }

    Checkpoints(Path runDir, long keep, WriteHook hook) {
        this.dir = runDir.resolve("checkpoints");
        this.keep = keep;
        this.hook = hook;
    }

    /** The directory of the best checkpoint ({@code train.keep_best}). */
    static final String BEST = "best";
    private static final String BEST_OLD = ".best-old";

    /** Saves a checkpoint at {@code state.updates()} and prunes old ones; returns its directory. */
    public Path save(TrainerState state, Sequential model, Optimizer optimizer, Backend backend) throws IOException {
        Files.createDirectories(dir);
        String name = dirName(state.updates());
        Path tmp = Files.createTempDirectory(dir, "." + name + ".");
        try {
            writeFiles(tmp, state, model, optimizer, backend);
            Path target = dir.resolve(name);
            if (Files.exists(target)) {
                deleteTree(target);
            }
            moveInto(tmp, target);
            force(dir);
            prune();
            return target;
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    /** Replaces {@code checkpoints/best/} with a checkpoint of the current state; returns its directory. */
    public Path saveBest(TrainerState state, Sequential model, Optimizer optimizer, Backend backend) throws IOException {
        Files.createDirectories(dir);
        Path target = dir.resolve(BEST);
        Path old = dir.resolve(BEST_OLD);
        if (!Files.exists(target) && Files.isDirectory(old)) {
            moveInto(old, target);
        }
        deleteTree(old);
        Path tmp = Files.createTempDirectory(dir, ".best.");
        try {
            writeFiles(tmp, state, model, optimizer, backend);
            if (Files.exists(target)) {
                moveInto(target, old);
            }
            moveInto(tmp, target);
            force(dir);
            deleteTree(old);
            return target;
        } finally {
            if (Files.exists(tmp)) {
                deleteTree(tmp);
            }
        }
    }

    private static void moveInto(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    private void writeFiles(Path tmp, TrainerState state, Sequential model, Optimizer optimizer, Backend backend)
            throws IOException {
        FilePermissions.setIfSupported(tmp, "rwxr-xr-x");
        Safetensors.write(tmp.resolve("model.safetensors"), modelTensors(model, backend, state.modelForwards()),
                Map.of("format", "pt", "producer", "anneal"));
        hook.afterFile("model.safetensors");
        List<Safetensors.Tensor> opt = new ArrayList<>();
        for (Map.Entry<String, FloatArray> e : optimizer.state().entrySet()) {
            opt.add(new Safetensors.Tensor(e.getKey(), new int[] {(int) e.getValue().length()},
                    download(backend, e.getValue())));
        }
        Safetensors.write(tmp.resolve("optimizer.safetensors"), opt,
                Map.of("optimizer_steps", Long.toString(optimizer.steps())));
        hook.afterFile("optimizer.safetensors");
        TrainerStateFile.write(tmp.resolve(TrainerStateFile.NAME), state);
        hook.afterFile(TrainerStateFile.NAME);
    }

    /** The newest complete checkpoint, if any. */
    public Optional<Path> latest() throws IOException {
        List<Path> all = complete();
        return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
    }

    /**
     * The newest checkpoint, read and checked ({@link SavedCheckpoint#read}); empty when there is none. A damaged
     * newest checkpoint is refused, never skipped: resuming from an older one would silently discard updates, so
     * the {@link BadInput} says what is wrong and, when an older checkpoint is intact, how to resume from it.
     */
    public Optional<SavedCheckpoint> readNewest() throws IOException {
        List<Path> all = complete();
        if (all.isEmpty()) {
            return Optional.empty();
        }
        Path newest = all.get(all.size() - 1);
        try {
            return Optional.of(SavedCheckpoint.read(newest));
        } catch (BadInput damaged) {
            Optional<SavedCheckpoint> older = newestIntact(all.subList(0, all.size() - 1));
            if (older.isEmpty()) {
                throw damaged;
            }
            throw new BadInput(damaged.getMessage() + "; the older checkpoint " + older.get().dir().getFileName()
                    + " is intact: move " + newest + " out of " + dir + " to resume from it (losing the updates after "
                    + older.get().state().updates() + ")");
        }
    }

    private static Optional<SavedCheckpoint> newestIntact(List<Path> checkpoints) {
        for (int i = checkpoints.size() - 1; i >= 0; i--) {
            try {
                return Optional.of(SavedCheckpoint.read(checkpoints.get(i)));
            } catch (BadInput damagedToo) {
                // try the one before
            }
        }
        return Optional.empty();
    }

    /** The directory name of the checkpoint after {@code updates} updates: {@code step-NNNNNNNNN}. */
    static String dirName(long updates) {
        return String.format("step-%09d", updates);
    }

    /**
     * The model's tensors by name: parameters, running statistics, and {@code forwards} (the training passes) as
     * every batch norm layer's {@code num_batches_tracked}.
     */
    static List<Safetensors.Tensor> modelTensors(Sequential model, Backend backend, long forwards) {
        float[] all = download(backend, model.parameters());
        float[] state = model.state() == null ? new float[0] : download(backend, model.state());
        List<Safetensors.Tensor> out = new ArrayList<>();
        for (NamedTensor t : model.tensors()) {
            if (t.kind() == NamedTensor.Kind.COUNTER) {
                out.add(Safetensors.Tensor.int64(t.name(), t.shape(), new long[] {forwards}));
                continue;
            }
            float[] values = new float[(int) t.size()];
            System.arraycopy(t.kind() == NamedTensor.Kind.PARAMETER ? all : state, (int) t.offset(), values, 0,
                    values.length);
            out.add(new Safetensors.Tensor(t.name(), t.shape(), values));
        }
        return out;
    }

    private static float[] download(Backend backend, FloatArray a) {
        float[] host = new float[Math.toIntExact(a.length())];
        backend.download(a, 0, host, 0, host.length);
        return host;
    }

    private List<Path> complete() throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Matcher m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparing((Path p) -> stepOf(p).length()).thenComparing(Checkpoints::stepOf));
        return out;
    }

    /** The step number of a checkpoint directory's name without leading zeros, for numeric order as text. */
    private static String stepOf(Path p) {
        String digits = p.getFileName().toString().substring("step-".length()).replaceFirst("^0+(?=.)", "");
        return digits;
    }

    private void prune() throws IOException {
        List<Path> all = complete();
        for (int i = 0; i < all.size() - keep; i++) {
            deleteTree(all.get(i));
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, ".{step-,best.}*")) {
            for (Path p : ds) {
                deleteTree(p);
            }
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
                for (Path c : ds) {
                    deleteTree(c);
                }
            }
        }
        Files.deleteIfExists(p);
    }

    private static void force(Path directory) {
        try (FileChannel ch = FileChannel.open(directory, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // not every file system can sync a directory; the rename has happened
        }
    }
}
