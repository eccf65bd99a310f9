import { builtinFirmwareModels } from '../../firmware-models/index.js'
import type { FirmwareMachine } from '../device/index.js'

/** Firmware models by name: the built-in ones from firmware-models/ (user-registered ones later). */
export const firmwareModels: Readonly<Record<string, FirmwareMachine>> = builtinFirmwareModels
