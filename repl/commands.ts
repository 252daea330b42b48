import type { ReplCommand } from "./types";
import { clusterCommand } from "./cluster.command";
import { crawlReplCommand } from "./crawl.command";
import { limitsCommand } from "./limits.command";

/** Operator commands added to the Moleculer REPL on every node. */
export const replCommands: ReplCommand[] = [clusterCommand, crawlReplCommand, limitsCommand];
