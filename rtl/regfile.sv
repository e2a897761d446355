// Policy registers of the CONFIG command (PROTOCOL.md, "Configuration registers").
//
// Addresses and reset values come from hil_protocol_pkg; the min/max columns of PROTOCOL.md's
// register table are not in the package and are written here. The check port validates one
// (address, value) pair without side effects, so cmd_exec can check every entry of a frame before
// applying any: ST_BAD_ADDRESS for an unknown address, ST_BAD_ARGUMENT outside min..max, ST_LIMIT
// for amplitudes above the INFO maxima and widths outside [min_width, max_width].

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module regfile
  import hil_protocol_pkg::*;
#(
  localparam int unsigned NumRegs = 14  // REG_SET_V_START .. REG_NOISE_SEED
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  // Check port (combinational)
  input  logic [15:0] chk_addr_i,
  input  logic [31:0] chk_value_i,
  input  logic        chk_write_i,   // 0: only the address is checked
  output status_e     chk_status_o,
  // Write port
  input  logic        we_i,
  input  logic [15:0] waddr_i,
  input  logic [31:0] wdata_i,
  // Read port (combinational); unknown addresses read 0
  input  logic [15:0] raddr_i,
  output logic [31:0] rdata_o,
  // Every register at once (register i in bits 32i+31..32i), for the write-verify engine
  output logic [32*NumRegs-1:0] regs_o
);

  logic [31:0] regs_q [NumRegs];
  logic [31:0] regs_d [NumRegs];

  function automatic logic [31:0] reset_value(int unsigned idx);
    logic [31:0] v;
    unique case (idx)
      32'd0:   v = 32'(REG_SET_V_START_RESET);
      32'd1:   v = 32'(REG_SET_V_STOP_RESET);
      32'd2:   v = 32'(REG_SET_V_STEP_RESET);
      32'd3:   v = 32'(REG_RESET_V_START_RESET);
      32'd4:   v = 32'(REG_RESET_V_STOP_RESET);
      32'd5:   v = 32'(REG_RESET_V_STEP_RESET);
      32'd6:   v = 32'(REG_SET_WIDTH_RESET);
      32'd7:   v = 32'(REG_RESET_WIDTH_RESET);
      32'd8:   v = 32'(REG_PULSES_PER_RAMP_RESET);
      32'd9:   v = 32'(REG_MAX_ITERATIONS_RESET);
      32'd10:  v = 32'(REG_VERIFY_N_READS_RESET);
      32'd11:  v = 32'(REG_VERIFY_N_DISCARD_RESET);
      32'd12:  v = 32'(REG_READ_V_RESET);
      default: v = 32'(REG_NOISE_SEED_RESET);
    endcase
    return v;
  endfunction

  // Min and max of PROTOCOL.md's register table.
  always_comb begin
    logic [31:0] lo, hi;
    chk_status_o = ST_OK;
    lo = 32'd1;
    hi = 32'd65535;
    unique case (chk_addr_i)
      REG_SET_V_START, REG_SET_V_STOP, REG_SET_V_STEP,
      REG_RESET_V_START, REG_RESET_V_STOP, REG_RESET_V_STEP,
      REG_SET_WIDTH, REG_RESET_WIDTH: begin
        lo = 32'd1;
        hi = 32'd65535;
      end
      REG_PULSES_PER_RAMP, REG_MAX_ITERATIONS: begin
        lo = 32'd1;
        hi = 32'd255;
      end
      REG_VERIFY_N_READS: begin
        lo = 32'd1;
        hi = 32'd64;
      end
      REG_VERIFY_N_DISCARD: begin
        lo = 32'd0;
        hi = 32'd16;
      end
      REG_READ_V: begin
        lo = 32'd1;
        hi = 32'd500;
      end
      REG_NOISE_SEED: begin
        lo = 32'd1;
        hi = 32'hFFFF_FFFF;
      end
      default: chk_status_o = ST_BAD_ADDRESS;
    endcase
    if (chk_status_o == ST_OK && chk_write_i) begin
      if (chk_value_i < lo || chk_value_i > hi) begin
        chk_status_o = ST_BAD_ARGUMENT;
      end else if ((chk_addr_i == REG_SET_V_START || chk_addr_i == REG_SET_V_STOP) &&
                   chk_value_i > 32'(REF_MAX_SET_AMPLITUDE)) begin
        chk_status_o = ST_LIMIT;
      end else if ((chk_addr_i == REG_RESET_V_START || chk_addr_i == REG_RESET_V_STOP) &&
                   chk_value_i > 32'(REF_MAX_RESET_AMPLITUDE)) begin
        chk_status_o = ST_LIMIT;
      end else if ((chk_addr_i == REG_SET_WIDTH || chk_addr_i == REG_RESET_WIDTH) &&
                   (chk_value_i < 32'(REF_MIN_WIDTH) || chk_value_i > 32'(REF_MAX_WIDTH))) begin
        chk_status_o = ST_LIMIT;
      end
    end
  end

  always_comb begin
    for (int unsigned i = 0; i < NumRegs; i++) begin
      regs_d[i] = regs_q[i];
    end
    if (we_i && waddr_i < 16'(NumRegs)) begin
      regs_d[waddr_i[3:0]] = wdata_i;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      for (int unsigned i = 0; i < NumRegs; i++) begin
        regs_q[i] <= reset_value(i);
      end
    end else begin
      for (int unsigned i = 0; i < NumRegs; i++) begin
        regs_q[i] <= regs_d[i];
      end
    end
  end

  assign rdata_o = (raddr_i < 16'(NumRegs)) ? regs_q[raddr_i[3:0]] : 32'd0;

  always_comb begin
    for (int unsigned i = 0; i < NumRegs; i++) begin
      regs_o[32*i +: 32] = regs_q[i];
    end
  end

endmodule
