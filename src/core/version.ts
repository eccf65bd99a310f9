/** fleet-emu's version, as in package.json (a unit test keeps them equal); written into reports and manifests. */
export const FLEET_EMU_VERSION = '0.1.0'
