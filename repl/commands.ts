import type { ReplCommand } from "./types";
import { clusterCommand } from "./cluster.command";
import { crawlReplCommand } from "./crawl.command";
import { deadCommand } from "./dead.command";
import { drainCommand } from "./drain.command";
import { limitsCommand } from "./limits.command";
import { queueCommand } from "./queue.command";
import { workersCommand } from "./workers.command";

/** Operator commands added to the Moleculer REPL on every node. */
export const replCommands: ReplCommand[] = [clusterCommand, crawlReplCommand, deadCommand, workersCommand, limitsCommand, queueCommand, drainCommand];
