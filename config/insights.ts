/** Insights: the LLM endpoint, budgets, schedules and retention. */
export const insightsVars = {};
