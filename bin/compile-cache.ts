/**
 * Imported first by the entry point: V8 keeps the code it compiles on disk (Node's compile cache,
 * under the OS temporary folder, or NODE_COMPILE_CACHE), so a restart does not compile every
 * module again; compiling was the largest part of a node's start on a busy machine. Node checks
 * each cached entry against its source file, and without a usable folder it just compiles.
 */
import * as nodeModule from "node:module";

nodeModule.enableCompileCache?.();
