/** Tempo analysis of preview audio: the worker pool and download caps. */
export const analysisVars = {};
