import type { FirmwareMachine } from '../src/device/kit.js'
import { basicFirmware } from './basic.machine.js'

/** Built-in firmware models by the name device profiles use (`firmware.model`). */
export const builtinFirmwareModels: Readonly<Record<string, FirmwareMachine>> = {
  basic: basicFirmware,
}
