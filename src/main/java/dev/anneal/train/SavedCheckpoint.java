package dev.anneal.train;

import dev.anneal.backend.Backend;
import dev.anneal.backend.FloatArray;
import dev.anneal.model.LayerSpec;
import dev.anneal.model.NamedTensor;
import dev.anneal.model.PlannedLayer;
import dev.anneal.model.Sequential;
import dev.anneal.optim.Optimizer;
import dev.anneal.optim.OptimizerTypes;
import dev.anneal.spec.BadInput;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A checkpoint read whole into memory and checked before anything is restored from it: its three files present
 * and well-formed ({@link SafetensorsParser}, {@link TrainerStateFile}), its directory name matching its update
 * counter (or {@code best}, {@code train.keep_best}'s checkpoint), and its optimizer's step count agreeing with {@code trainer.json}. {@link #checkFits} then holds it
 * against the model and optimizer a config builds (tensor names, shapes, state buffers) before {@link #restore}
 * uploads it; every mismatch is a {@link BadInput} naming the file.
 *
 * @param dir the checkpoint directory ({@code RUN/checkpoints/step-NNNNNNNNN})
 * @param model {@code model.safetensors}'s tensors by name
 * @param optimizer {@code optimizer.safetensors}'s buffers by name
 * @param state {@code trainer.json}
 */
public record SavedCheckpoint(Path dir, Map<String, Safetensors.Tensor> model,
                              Map<String, Safetensors.Tensor> optimizer, TrainerState state) {
    static final String MODEL = "model.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";

    /** Reads and checks the checkpoint in {@code dir}. */
    public static SavedCheckpoint read(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new BadInput(dir + ": not a checkpoint directory");
        }
        for (String name : List.of(MODEL, OPTIMIZER, TrainerStateFile.NAME)) {
            if (!Files.exists(dir.resolve(name))) {
                throw new BadInput(dir.resolve(name) + ": missing; the checkpoint is incomplete (a checkpoint holds "
                        + MODEL + ", " + OPTIMIZER + " and " + TrainerStateFile.NAME + ")");
            }
        }
        TrainerState state = TrainerStateFile.read(dir.resolve(TrainerStateFile.NAME));
        String expected = Checkpoints.dirName(state.updates());
        String name = dir.getFileName().toString();
        if (!name.equals(expected) && !name.equals(Checkpoints.BEST)) {
            throw new BadInput(dir.resolve(TrainerStateFile.NAME) + ": field \"updates\" is " + state.updates()
                    + ", but the checkpoint directory is " + dir.getFileName() + " (expected " + expected + "); its "
                    + "files do not belong together");
        }
        Map<String, Safetensors.Tensor> model = Safetensors.readAll(dir.resolve(MODEL)).tensors();
        SafetensorsParser.Contents opt = Safetensors.readAll(dir.resolve(OPTIMIZER));
        String steps = opt.metadata().get("optimizer_steps");
        if (steps != null && !steps.equals(Long.toString(state.updates()))) {
            throw new BadInput(dir.resolve(OPTIMIZER) + ": its metadata optimizer_steps \"" + steps + "\" disagrees "
                    + "with " + TrainerStateFile.NAME + "'s updates " + state.updates() + "; the files come from "
                    + "different checkpoints");
        }
        return new SavedCheckpoint(dir, model, opt.tensors(), state);
    }

    /**
     * Checks that the tensors fit {@code model} (the same names, shapes and types, no others) and the buffers fit
     * {@code opt} (the same state names, each as long as the parameter buffer).
     */
    public void checkFits(Sequential model, Optimizer opt) {
        Path file = dir.resolve(MODEL);
        String widths = describe(model);
        List<String> names = new ArrayList<>();
        for (NamedTensor t : model.tensors()) {
            names.add(t.name());
            Safetensors.Tensor saved = this.model.get(t.name());
            if (saved == null) {
                throw new BadInput(file + ": holds no tensor " + t.name() + ", which the config's model (" + widths
                        + ") needs; the checkpoint belongs to another model");
            }
            if (!Arrays.equals(saved.shape(), t.shape())) {
                throw new BadInput(file + ": tensor " + t.name() + " has shape " + Arrays.toString(saved.shape())
                        + ", but the config's model (" + widths + ") needs " + Arrays.toString(t.shape())
                        + "; the checkpoint belongs to another model");
            }
            String dtype = t.kind() == NamedTensor.Kind.COUNTER ? "I64" : "F32";
            if (!saved.dtype().equals(dtype)) {
                throw new BadInput(file + ": tensor " + t.name() + " is " + saved.dtype() + ", but the config's model "
                        + "holds it as " + dtype + "; the file is damaged or not anneal's");
            }
        }
        for (String name : this.model.keySet()) {
            if (!names.contains(name)) {
                throw new BadInput(file + ": holds tensor " + name + ", which the config's model (" + widths
                        + ") does not have; the checkpoint belongs to another model");
            }
        }
        checkOptimizerFits(opt, model.size());
    }

    /** An MLP's widths ({@code widths [784, 16, 10]}), else the layer types. */
    private static String describe(Sequential model) {
        List<PlannedLayer> layers = model.plan().layers();
        List<Integer> widths = new ArrayList<>();
        widths.add((int) model.plan().inputSize());
        List<String> types = new ArrayList<>();
        for (PlannedLayer l : layers) {
            types.add(l.type());
            if (l.spec() instanceof LayerSpec.Linear) {
                widths.add(l.out()[0]);
            }
        }
        boolean mlp = layers.stream().allMatch(l -> l.spec() instanceof LayerSpec.Linear || l.absorbed());
        return mlp ? "widths " + widths : "layers " + String.join(", ", types);
    }

    private void checkOptimizerFits(Optimizer opt, long parameters) {
        Path file = dir.resolve(OPTIMIZER);
        String wanted = opt.state().isEmpty() ? "no state buffers" : String.join(", ", opt.state().keySet());
        String held = optimizer.isEmpty() ? "none" : String.join(", ", optimizer.keySet());
        if (!optimizer.keySet().equals(opt.state().keySet())) {
            throw new BadInput(file + ": holds state buffers " + held + ", but the config's optimizer ("
                    + typeOf(opt) + ") needs " + wanted
                    + "; the checkpoint was written by another optimizer");
        }
        for (Map.Entry<String, Safetensors.Tensor> e : optimizer.entrySet()) {
            int[] shape = e.getValue().shape();
            if (shape.length != 1 || shape[0] != parameters) {
                throw new BadInput(file + ": state buffer " + e.getKey() + " has shape " + Arrays.toString(shape)
                        + ", but the model has " + parameters + " parameters (expected [" + parameters + "])");
            }
        }
    }

    private static String typeOf(Optimizer opt) {
        return OptimizerTypes.all().entrySet().stream().filter(e -> e.getValue() == opt.spec().getClass())
                .map(Map.Entry::getKey).findFirst().orElse(opt.spec().getClass().getSimpleName());
    }

    /**
     * Uploads the weights, running statistics and optimizer buffers (after {@link #checkFits}) and restores the
     * optimizer's counters; the count of training passes comes from {@link #state()} ({@code modelForwards}).
     */
    public void restore(Sequential model, Optimizer opt, Backend backend) {
        for (NamedTensor t : model.tensors()) {
            if (t.kind() == NamedTensor.Kind.COUNTER) {
                continue;
            }
            float[] v = this.model.get(t.name()).values();
            backend.upload(v, 0, t.kind() == NamedTensor.Kind.PARAMETER ? model.parameters() : model.state(),
                    t.offset(), v.length);
        }
        model.restoreForwards(state.modelForwards());
        for (Map.Entry<String, FloatArray> e : opt.state().entrySet()) {
            float[] v = optimizer.get(e.getKey()).values();
            backend.upload(v, 0, e.getValue(), 0, v.length);
        }
        opt.restore(state.updates(), state.momentumStarted());
    }
}
