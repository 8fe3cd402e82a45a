export { allHeld, checkSlo, errorRate, notEnoughData, transportErrorKinds, transportErrors } from './slo.js';
