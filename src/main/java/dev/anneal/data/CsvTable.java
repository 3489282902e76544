package dev.anneal.data;

import dev.anneal.spec.BadInput;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.MalformedInputException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A CSV file as text cells (RFC 4180): UTF-8, comma-separated, the first row the header; a cell may be quoted
 * with {@code "..."} to hold commas, a doubled {@code ""} inside quotes is one quote, cells are trimmed, blank lines
 * are skipped, and every row has the header's number of cells. Quoted cells spanning lines are not read.
 *
 * @param file the file, named in messages
 * @param header the column names
 * @param rows the cells of each data row
 * @param lines the 1-based file line of each data row, for messages
 */
record CsvTable(Path file, List<String> header, List<String[]> rows, int[] lines) {

    static CsvTable read(Path file) {
        List<String[]> rows = new ArrayList<>();
        List<Integer> lineNumbers = new ArrayList<>();
        List<String> header = null;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            int number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = split(line, file, number);
                if (header == null) {
                    header = List.of(cells);
                    checkHeader(file, header);
                    continue;
                }
                if (cells.length != header.size()) {
                    throw new BadInput(file + ": line " + number + " has " + cells.length + " cells, the header has "
                            + header.size() + "; every row needs one cell per column");
                }
                rows.add(cells);
                lineNumbers.add(number);
            }
        } catch (NoSuchFileException e) {
            throw new BadInput(file + ": no such file");
        } catch (AccessDeniedException e) {
            throw new BadInput(file + ": permission denied");
        } catch (MalformedInputException e) {
            throw new BadInput(file + " is not UTF-8 text; save the CSV as UTF-8");
        } catch (IOException e) {
            throw new BadInput("cannot read " + file + ": " + e.getMessage());
        }
        if (header == null) {
            throw new BadInput(file + " is empty; a CSV needs a header row and at least one data row");
        }
        return new CsvTable(file, header, rows, lineNumbers.stream().mapToInt(Integer::intValue).toArray());
    }

    /** The index of column {@code name}, or a {@link BadInput} naming {@code key} and the columns there are. */
    int column(String name, String key) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new BadInput(file + " has no column " + name + " (" + key + "); its columns are " + header);
        }
        return i;
    }

    private static void checkHeader(Path file, List<String> header) {
        for (int i = 0; i < header.size(); i++) {
            if (header.get(i).isEmpty()) {
                throw new BadInput(file + ": column " + (i + 1) + " of the header has no name; name every column");
            }
            if (header.indexOf(header.get(i)) != i) {
                throw new BadInput(file + ": the header names column " + header.get(i) + " twice");
            }
        }
    }

    static String[] split(String line, Path file, int number) {
        List<String> cells = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"' && cell.toString().isBlank() && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
                cell.setLength(0);
            } else if (c == ',') {
                cells.add(wasQuoted ? cell.toString() : cell.toString().trim());
                cell.setLength(0);
                wasQuoted = false;
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw new BadInput(file + ": line " + number + " has an unclosed quote; quoted cells must end on the "
                    + "same line");
        }
        cells.add(wasQuoted ? cell.toString() : cell.toString().trim());
        return cells.toArray(new String[0]);
    }
}
