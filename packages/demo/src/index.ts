export {
  AGENT_NAME,
  type AgentOptions,
  type ChatMessage,
  createAgent,
  DEFAULT_AGENT,
  parseChatMessage,
  tokens,
} from './agent.js';
export { demoOptions } from './app.js';
export { buildPage, type PageAssets } from './page-bundle.js';
export { PLANETS, type Planet } from './planets.js';
export { createDemoSignIn, DEMO_TOKEN_TTL_SEC, DEMO_USERS, type DemoUser } from './sign-in.js';
export { calculate, describe, findExpression, searchPlanets, ToolError } from './tools.js';
