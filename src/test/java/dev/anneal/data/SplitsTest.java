package dev.anneal.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SplitsTest {
    @Test
    void holdsOutTheShareOfEachClassSeededAndDisjoint() {
        int[] labels = new int[100];
        for (int i = 0; i < 100; i++) {
            labels[i] = i < 80 ? 0 : 1;
        }
        Splits s = Splits.stratified(labels, 2, 0.1, 7, "x");
        assertEquals(10, s.heldOut().length);
        int[] counts = new int[2];
        for (int i : s.heldOut()) {
            counts[labels[i]]++;
        }
        assertArrayEquals(new int[] {8, 2}, counts);
        assertEquals(90, s.kept().length);
        assertFalse(Arrays.stream(s.kept()).anyMatch(i -> Arrays.stream(s.heldOut()).anyMatch(j -> j == i)));
        assertArrayEquals(s.heldOut(), Splits.stratified(labels, 2, 0.1, 7, "x").heldOut());
        assertFalse(Arrays.equals(s.heldOut(), Splits.stratified(labels, 2, 0.1, 8, "x").heldOut()));
    }
}
