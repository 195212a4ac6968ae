// Which upstream client a test run uses (the jest project `unit-undici` sets the variable).
import { UPSTREAM_CLIENT_ENV } from '../../proxy/src/upstream/upstream-client';

export const onUndici = process.env[UPSTREAM_CLIENT_ENV] === 'undici';

/** A test of behaviour only the native client has; each use says why in a comment. */
export const itNativeOnly: jest.It = onUndici ? it.skip : it;
