package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.anneal.spec.BadInput;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDatasetsTest {
    @TempDir
    Path dir;

    private Path csv(String name, String text) throws IOException {
        return Files.writeString(dir.resolve(name), text);
    }

    private static DataSpec spec(Path train, Path test, boolean normalize, List<String> features, Double split) {
        return new DataSpec("csv", train.toString(), null, null, normalize, null, null, null, null, null,
                test == null ? null : test.toString(), null, "species", features, split);
    }

    @Test
    void stringLabelsBecomeClassesInSortedOrderAndColumnsAreStandardised() throws IOException {
        Path train = csv("train.csv", "a,species,b\n1,setosa,10\n2,virginica,10\n3,setosa,10\n");
        Path test = csv("test.csv", "b,species,a\n10,virginica,5\n");
        Datasets ds = Datasets.load(spec(train, test, true, null, null), 0);
        assertEquals(List.of("setosa", "virginica"), ds.classNames());
        assertArrayEquals(new int[] {0, 1, 0}, ds.train().labels());
        assertEquals(2, ds.train().d());
        // column a: mean 2, sample std 1; column b constant: only centred
        assertArrayEquals(new float[] {-1, 0, 0, 0, 1, 0}, ds.train().features());
        assertArrayEquals(new float[] {3, 0}, ds.test().features());
        assertEquals(1, ds.test().label(0));
        Datasets raw = Datasets.load(spec(train, test, false, List.of("b", "a"), null), 0);
        assertArrayEquals(new float[] {10, 5}, raw.test().features());
    }

    @Test
    void integerLabelsAreClassIndicesAndASplitIsStratified() throws IOException {
        StringBuilder b = new StringBuilder("x,species\n");
        for (int i = 0; i < 20; i++) {
            b.append(i).append(',').append(i % 2 == 0 ? 0 : 2).append('\n');
        }
        Datasets ds = Datasets.load(spec(csv("t.csv", b.toString()), null, false, null, 0.2), 1);
        assertEquals(List.of("0", "1", "2"), ds.classNames());
        assertEquals(16, ds.train().n());
        assertArrayEquals(new int[] {2, 0, 2}, ds.validation().classCounts());
        assertNull(ds.test());
    }

    private String refused(DataSpec spec) {
        String m = assertThrows(BadInput.class, () -> Datasets.load(spec, 0)).getMessage();
        assertEquals(1, m.lines().count(), m);
        return m;
    }

    @Test
    void aNonNumericCellNamesFileLineAndColumn() throws IOException {
        Path train = csv("bad.csv", "a,species\n1,x\n\"two\",y\n");
        String m = refused(spec(train, train, true, null, null));
        assertTrue(m.startsWith(train + ": line 3, column a: 'two' is not a number"), m);
    }

    @Test
    void missingColumnsRaggedRowsAndUnknownTestLabelsAreOneLine() throws IOException {
        Path train = csv("t.csv", "a,species\n1,x\n2,y\n");
        assertTrue(refused(spec(csv("u.csv", "a,kind\n1,x\n"), null, true, null, 0.5))
                .contains("has no column species (data.label_column); its columns are [a, kind]"));
        assertTrue(refused(spec(csv("r.csv", "a,species\n1,x,3\n"), null, true, null, 0.5))
                .contains("line 2 has 3 cells, the header has 2"));
        assertTrue(refused(spec(train, csv("v.csv", "a,species\n1,z\n"), true, null, null))
                .contains("label 'z' does not occur in the training set [x, y]"));
        assertTrue(refused(spec(train, null, true, null, null)).contains("data.test_path"));
    }
}
