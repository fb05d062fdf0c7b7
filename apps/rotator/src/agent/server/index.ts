export { startAgent, type RunningAgent, type StartAgentOptions } from './agent.js';
