package dev.anneal.backend.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PtxBundleTest {
    private static final Path SOURCES = Path.of("cuda-kernels");
    private static final Path COMMITTED = SOURCES.resolve("ptx");

    /**
     * The jar needs no nvcc: cuda-kernels/ptx/ holds one PTX per kernel source, every launcher's kernel is in it
     * with its exact parameters, and what the build packs (the classpath) is byte for byte that directory.
     */
    @Test
    void theCommittedPtxIsCompleteAndIsWhatTheBuildPacks() throws IOException {
        Set<String> sources = baseNames(SOURCES, ".cu");
        assertEquals(sources, baseNames(COMMITTED, ".ptx"), "one committed PTX per cuda-kernels/*.cu");
        assertEquals(sources, new TreeSet<>(PtxBundle.modules()), "the launchers' modules are the kernel sources");
        Map<String, String> texts = new HashMap<>();
        for (String m : sources) {
            texts.put(m, Files.readString(COMMITTED.resolve(m + ".ptx")));
        }
        String info = Files.readString(COMMITTED.resolve("BUILD-INFO")).strip();
        PtxBundle committed = new PtxBundle(texts, info);
        assertNull(committed.problem());
        PtxBundle packed = PtxBundle.fromClasspath();
        for (String m : sources) {
            assertEquals(committed.text(m), packed.text(m), "ptx/" + m + ".ptx on the classpath");
        }
        assertEquals(info, packed.buildInfo());
    }

    private static Set<String> baseNames(Path dir, String suffix) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(suffix))
                    .map(n -> n.substring(0, n.length() - suffix.length()))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void theBuiltKernelsAreOnTheClasspathWithTheirVersionAndMatchTheLaunchers() throws IOException {
        String optim = BuiltPtx.ptx("optim");
        PtxBundle jar = PtxBundle.fromClasspath();
        assertNull(jar.problem());
        assertEquals(optim, jar.text("optim"));
        assertTrue(jar.version().matches("\\d+\\.\\d+"), jar.version());
        assertTrue(optim.contains(".version " + jar.version()));
        assertTrue(jar.buildInfo().startsWith("nvcc: "), jar.buildInfo());
    }

    @Test
    void noModulesMeansNotBuilt() {
        PtxBundle none = new PtxBundle(Map.of(), null);
        assertEquals("CUDA kernels missing from this build (no ptx/*.ptx resources: build the jar with this "
                + "repository's pom.xml)", none.problem());
        assertNull(none.version());
    }

    @Test
    void aMissingModuleOrAChangedSignatureIsNamed() {
        PtxBundle good = FakePtx.matching("8.5");
        assertNull(good.problem());
        assertEquals("8.5", good.version());
        Map<String, String> modules = new HashMap<>();
        for (String m : PtxBundle.modules()) {
            modules.put(m, good.text(m));
        }
        modules.remove("loss");
        assertEquals("CUDA kernels incomplete: ptx/loss.ptx is missing from the build",
                new PtxBundle(modules, null).problem());
        modules.put("loss", good.text("loss"));
        modules.put("elementwise", good.text("elementwise").replace("fill_param_2", "fill_param_2,\n\t.param .u32 x"));
        assertEquals("CUDA kernels do not match this build's launchers: fill takes 4 parameters in the PTX, the "
                + "launcher packs 3", new PtxBundle(modules, null).problem());
    }

    @Test
    void theImageForTheDriverIsNulTerminated() {
        byte[] image = FakePtx.matching("9.0").image("reduce");
        assertEquals(0, image[image.length - 1]);
        assertTrue(new String(image, 0, image.length - 1, java.nio.charset.StandardCharsets.US_ASCII)
                .contains(".entry squared_norm_final("));
    }

    @Test
    void modulesAreTheKernelFilesInTableOrder() {
        assertEquals(List.of("optim", "matmul", "layers", "elementwise", "reduce", "loss", "conv", "pool", "norm",
                "dropout"), PtxBundle.modules());
    }
}
