/**
 * File output that never leaves a half-written file ({@link dev.anneal.io.AtomicFiles}), permissions that
 * degrade quietly where a file system has none ({@link dev.anneal.io.FilePermissions}), and I/O failures as one
 * line for the user ({@link dev.anneal.io.IoProblems}).
 */
package dev.anneal.io;
