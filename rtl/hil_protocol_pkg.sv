// Constants of the hil-rram-wire wire protocol.
//
// Generated from firmware_interface/spec.toml by `python -m firmware_interface.generate`.
// Do not edit: change the spec and regenerate.

package hil_protocol_pkg;

  // A constants package: no single design uses every constant (waiver as in OpenTitan).
  /* verilator lint_off UNUSEDPARAM */

  // Framing
  localparam int unsigned VERSION_MAJOR = 32'd2;
  localparam int unsigned VERSION_MINOR = 32'd0;
  localparam logic [7:0] SOF = 8'hA5;
  localparam logic [7:0] RESPONSE_FLAG = 8'h80;
  localparam int unsigned HEADER_BYTES = 32'd6;
  localparam int unsigned TRAILER_BYTES = 32'd4;
  localparam int unsigned MAX_PAYLOAD = 32'd1025;
  localparam int unsigned MAX_FRAME = 32'd1035;
  localparam logic [15:0] NO_DETAIL = 16'hFFFF;
  localparam int unsigned IDLE_BYTES = 32'd16;

  // CRC-8/SMBUS: poly 0x7, init 0x0, refin false, refout false, xorout 0x0, check 0xF4
  localparam logic [7:0] HCRC_POLY = 8'h07;
  localparam logic [7:0] HCRC_INIT_REG = 8'h00;
  localparam logic [7:0] HCRC_XOROUT = 8'h00;
  localparam logic [7:0] HCRC_CHECK = 8'hF4;

  // Feed one byte into the CRC-8/SMBUS register.
  function automatic logic [7:0] hcrc_update(logic [7:0] crc, logic [7:0] data);
    logic [7:0] c;
    c = crc ^ data;
    for (int i = 0; i < 8; i++) c = c[7] ? ((c << 1) ^ HCRC_POLY) : (c << 1);
    return c;
  endfunction

  // CRC-32/ISO-HDLC: poly 0x4C11DB7, init 0xFFFFFFFF, refin true, refout true, xorout 0xFFFFFFFF, check 0xCBF43926
  localparam logic [31:0] FCRC_POLY = 32'h04C11DB7;
  localparam logic [31:0] FCRC_INIT_REG = 32'hFFFFFFFF;
  localparam logic [31:0] FCRC_XOROUT = 32'hFFFFFFFF;
  localparam logic [31:0] FCRC_CHECK = 32'hCBF43926;

  // Feed one byte into the CRC-32/ISO-HDLC register.
  function automatic logic [31:0] fcrc_update(logic [31:0] crc, logic [7:0] data);
    logic [31:0] c;
    c = crc ^ {24'h0, data};
    for (int i = 0; i < 8; i++) c = c[0] ? ((c >> 1) ^ 32'hEDB88320) : (c >> 1);
    return c;
  endfunction

  // Status codes
  typedef enum logic [7:0] {
    ST_OK = 8'h00,
    ST_BAD_CRC = 8'h01,
    ST_BAD_LENGTH = 8'h02,
    ST_UNKNOWN_OPCODE = 8'h03,
    ST_BAD_ADDRESS = 8'h04,
    ST_BAD_ARGUMENT = 8'h05,
    ST_BUSY = 8'h06,
    ST_UNSUPPORTED = 8'h07,
    ST_LIMIT = 8'h08,
    ST_INTERNAL = 8'h09
  } status_e;

  // Opcodes
  typedef enum logic [7:0] {
    OP_INFO = 8'h01,
    OP_READ = 8'h02,
    OP_PULSE = 8'h03,
    OP_PROGRAM = 8'h04,
    OP_MVM = 8'h05,
    OP_CONFIG = 8'h06,
    OP_ADVANCE_TIME = 8'h10,
    OP_FAULT_INJECT = 8'h11
  } opcode_e;

  // Direction of a programming pulse.
  typedef enum logic [7:0] {
    POLARITY_SET = 8'h00,
    POLARITY_RESET = 8'h01
  } polarity_e;

  // Per-cell result of a PROGRAM batch.
  typedef enum logic [7:0] {
    CELL_OUTCOME_CONVERGED = 8'h00,
    CELL_OUTCOME_NOT_CONVERGED = 8'h01,
    CELL_OUTCOME_STUCK = 8'h02
  } cell_outcome_e;

  // What FAULT_INJECT changes (simulators only).
  typedef enum logic [7:0] {
    FAULT_KIND_CLEAR = 8'h00,
    FAULT_KIND_STUCK_CELL = 8'h01,
    FAULT_KIND_LINE_NOISE = 8'h02
  } fault_kind_e;

  // Bits of INFO.capabilities: optional operations this chip implements.
  localparam logic [15:0] CAPABILITY_PROGRAM = 16'h0001;
  localparam logic [15:0] CAPABILITY_MVM = 16'h0002;
  localparam logic [15:0] CAPABILITY_ADVANCE_TIME = 16'h0004;
  localparam logic [15:0] CAPABILITY_FAULT_INJECT = 16'h0008;

  // Configuration registers
  typedef enum logic [15:0] {
    REG_SET_V_START = 16'h0000,
    REG_SET_V_STOP = 16'h0001,
    REG_SET_V_STEP = 16'h0002,
    REG_RESET_V_START = 16'h0003,
    REG_RESET_V_STOP = 16'h0004,
    REG_RESET_V_STEP = 16'h0005,
    REG_SET_WIDTH = 16'h0006,
    REG_RESET_WIDTH = 16'h0007,
    REG_PULSES_PER_RAMP = 16'h0008,
    REG_MAX_ITERATIONS = 16'h0009,
    REG_VERIFY_N_READS = 16'h000A,
    REG_VERIFY_N_DISCARD = 16'h000B,
    REG_READ_V = 16'h000C,
    REG_NOISE_SEED = 16'h000D
  } register_e;

  localparam int unsigned REG_SET_V_START_RESET = 32'd1200;
  localparam int unsigned REG_SET_V_STOP_RESET = 32'd3000;
  localparam int unsigned REG_SET_V_STEP_RESET = 32'd100;
  localparam int unsigned REG_RESET_V_START_RESET = 32'd1200;
  localparam int unsigned REG_RESET_V_STOP_RESET = 32'd3000;
  localparam int unsigned REG_RESET_V_STEP_RESET = 32'd100;
  localparam int unsigned REG_SET_WIDTH_RESET = 32'd100;
  localparam int unsigned REG_RESET_WIDTH_RESET = 32'd100;
  localparam int unsigned REG_PULSES_PER_RAMP_RESET = 32'd30;
  localparam int unsigned REG_MAX_ITERATIONS_RESET = 32'd20;
  localparam int unsigned REG_VERIFY_N_READS_RESET = 32'd1;
  localparam int unsigned REG_VERIFY_N_DISCARD_RESET = 32'd0;
  localparam int unsigned REG_READ_V_RESET = 32'd200;
  localparam int unsigned REG_NOISE_SEED_RESET = 32'd1;

  // Message layouts: byte sizes and field offsets within the payload
  localparam int unsigned INFO_REQ_FIXED_BYTES = 32'd0;
  localparam int unsigned INFO_RSP_FIXED_BYTES = 32'd32;
  localparam int unsigned INFO_RSP_PROTOCOL_MAJOR_OFFSET = 32'd1;
  localparam int unsigned INFO_RSP_PROTOCOL_MINOR_OFFSET = 32'd2;
  localparam int unsigned INFO_RSP_CHIP_ID_OFFSET = 32'd3;
  localparam int unsigned INFO_RSP_ROWS_OFFSET = 32'd7;
  localparam int unsigned INFO_RSP_COLS_OFFSET = 32'd9;
  localparam int unsigned INFO_RSP_CAPABILITIES_OFFSET = 32'd11;
  localparam int unsigned INFO_RSP_MAX_SET_AMPLITUDE_OFFSET = 32'd13;
  localparam int unsigned INFO_RSP_MAX_RESET_AMPLITUDE_OFFSET = 32'd15;
  localparam int unsigned INFO_RSP_DAC_STEP_OFFSET = 32'd17;
  localparam int unsigned INFO_RSP_MIN_WIDTH_OFFSET = 32'd19;
  localparam int unsigned INFO_RSP_MAX_WIDTH_OFFSET = 32'd21;
  localparam int unsigned INFO_RSP_ADC_BITS_OFFSET = 32'd23;
  localparam int unsigned INFO_RSP_ADC_FULL_SCALE_OFFSET = 32'd24;
  localparam int unsigned INFO_RSP_MVM_INPUT_BITS_OFFSET = 32'd26;
  localparam int unsigned INFO_RSP_MVM_ADC_BITS_OFFSET = 32'd27;
  localparam int unsigned INFO_RSP_MVM_FULL_SCALE_OFFSET = 32'd28;
  localparam int unsigned READ_REQ_FIXED_BYTES = 32'd10;
  localparam int unsigned READ_REQ_ROW_OFFSET = 32'd0;
  localparam int unsigned READ_REQ_COL_OFFSET = 32'd2;
  localparam int unsigned READ_REQ_N_ROWS_OFFSET = 32'd4;
  localparam int unsigned READ_REQ_N_COLS_OFFSET = 32'd6;
  localparam int unsigned READ_REQ_N_READS_OFFSET = 32'd8;
  localparam int unsigned READ_REQ_N_DISCARD_OFFSET = 32'd9;
  localparam int unsigned READ_RSP_FIXED_BYTES = 32'd1;
  localparam int unsigned READ_RSP_ELEMENT_BYTES = 32'd2;
  localparam int unsigned READ_RSP_MAX_ELEMENTS = 32'd512;
  localparam int unsigned PULSE_REQ_FIXED_BYTES = 32'd11;
  localparam int unsigned PULSE_REQ_ROW_OFFSET = 32'd0;
  localparam int unsigned PULSE_REQ_COL_OFFSET = 32'd2;
  localparam int unsigned PULSE_REQ_N_COLS_OFFSET = 32'd4;
  localparam int unsigned PULSE_REQ_POLARITY_OFFSET = 32'd6;
  localparam int unsigned PULSE_REQ_AMPLITUDE_OFFSET = 32'd7;
  localparam int unsigned PULSE_REQ_WIDTH_OFFSET = 32'd9;
  localparam int unsigned PULSE_RSP_FIXED_BYTES = 32'd1;
  localparam int unsigned PROGRAM_REQ_FIXED_BYTES = 32'd0;
  localparam int unsigned PROGRAM_REQ_ELEMENT_BYTES = 32'd8;
  localparam int unsigned PROGRAM_REQ_MAX_ELEMENTS = 32'd128;
  localparam int unsigned PROGRAM_RSP_FIXED_BYTES = 32'd1;
  localparam int unsigned PROGRAM_RSP_ELEMENT_BYTES = 32'd6;
  localparam int unsigned PROGRAM_RSP_MAX_ELEMENTS = 32'd128;
  localparam int unsigned MVM_REQ_FIXED_BYTES = 32'd6;
  localparam int unsigned MVM_REQ_ROW_OFFSET = 32'd0;
  localparam int unsigned MVM_REQ_COL_OFFSET = 32'd2;
  localparam int unsigned MVM_REQ_N_PAIRS_OFFSET = 32'd4;
  localparam int unsigned MVM_REQ_ELEMENT_BYTES = 32'd2;
  localparam int unsigned MVM_REQ_MAX_ELEMENTS = 32'd256;
  localparam int unsigned MVM_RSP_FIXED_BYTES = 32'd1;
  localparam int unsigned MVM_RSP_ELEMENT_BYTES = 32'd4;
  localparam int unsigned MVM_RSP_MAX_ELEMENTS = 32'd256;
  localparam int unsigned CONFIG_REQ_FIXED_BYTES = 32'd1;
  localparam int unsigned CONFIG_REQ_WRITE_OFFSET = 32'd0;
  localparam int unsigned CONFIG_REQ_ELEMENT_BYTES = 32'd6;
  localparam int unsigned CONFIG_REQ_MAX_ELEMENTS = 32'd64;
  localparam int unsigned CONFIG_RSP_FIXED_BYTES = 32'd1;
  localparam int unsigned CONFIG_RSP_ELEMENT_BYTES = 32'd6;
  localparam int unsigned CONFIG_RSP_MAX_ELEMENTS = 32'd64;
  localparam int unsigned ADVANCE_TIME_REQ_FIXED_BYTES = 32'd10;
  localparam int unsigned ADVANCE_TIME_REQ_DT_OFFSET = 32'd0;
  localparam int unsigned ADVANCE_TIME_REQ_TEMPERATURE_OFFSET = 32'd8;
  localparam int unsigned ADVANCE_TIME_RSP_FIXED_BYTES = 32'd9;
  localparam int unsigned ADVANCE_TIME_RSP_NOW_OFFSET = 32'd1;
  localparam int unsigned FAULT_INJECT_REQ_FIXED_BYTES = 32'd9;
  localparam int unsigned FAULT_INJECT_REQ_KIND_OFFSET = 32'd0;
  localparam int unsigned FAULT_INJECT_REQ_ROW_OFFSET = 32'd1;
  localparam int unsigned FAULT_INJECT_REQ_COL_OFFSET = 32'd3;
  localparam int unsigned FAULT_INJECT_REQ_VALUE_OFFSET = 32'd5;
  localparam int unsigned FAULT_INJECT_RSP_FIXED_BYTES = 32'd1;
  localparam int unsigned PROGRAM_ENTRY_BYTES = 32'd8;
  localparam int unsigned PROGRAM_ENTRY_ROW_OFFSET = 32'd0;
  localparam int unsigned PROGRAM_ENTRY_COL_OFFSET = 32'd2;
  localparam int unsigned PROGRAM_ENTRY_TARGET_OFFSET = 32'd4;
  localparam int unsigned PROGRAM_ENTRY_TOLERANCE_OFFSET = 32'd6;
  localparam int unsigned PROGRAM_RESULT_BYTES = 32'd6;
  localparam int unsigned PROGRAM_RESULT_G_OFFSET = 32'd0;
  localparam int unsigned PROGRAM_RESULT_PULSES_OFFSET = 32'd2;
  localparam int unsigned PROGRAM_RESULT_OUTCOME_OFFSET = 32'd4;
  localparam int unsigned PROGRAM_RESULT_ITERATIONS_OFFSET = 32'd5;
  localparam int unsigned REGISTER_VALUE_BYTES = 32'd6;
  localparam int unsigned REGISTER_VALUE_ADDRESS_OFFSET = 32'd0;
  localparam int unsigned REGISTER_VALUE_VALUE_OFFSET = 32'd2;

  // Reference chip (INFO of the RTL model)
  localparam int unsigned REF_ROWS = 32'd64;
  localparam int unsigned REF_COLS = 32'd128;
  localparam int unsigned REF_CHIP_ID = 32'd1381125425;
  localparam int unsigned REF_CAPABILITIES = 32'd15;
  localparam int unsigned REF_MAX_SET_AMPLITUDE = 32'd3000;
  localparam int unsigned REF_MAX_RESET_AMPLITUDE = 32'd3000;
  localparam int unsigned REF_DAC_STEP = 32'd10;
  localparam int unsigned REF_MIN_WIDTH = 32'd1;
  localparam int unsigned REF_MAX_WIDTH = 32'd10000;
  localparam int unsigned REF_ADC_BITS = 32'd12;
  localparam int unsigned REF_ADC_FULL_SCALE = 32'd5000;
  localparam int unsigned REF_MVM_INPUT_BITS = 32'd8;
  localparam int unsigned REF_MVM_ADC_BITS = 32'd10;
  localparam int unsigned REF_MVM_FULL_SCALE = 32'd200000;

  /* verilator lint_on UNUSEDPARAM */

endpackage
