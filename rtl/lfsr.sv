// xorshift32 noise generator (Marsaglia 2003, shifts 13/17/5), the twin's `xorshift32`.
//
// Stepped only on events (step_i), never per clock. next_o is the value the state takes on the
// next step: a draw uses next_o in the cycle it asserts step_i. step2_i takes two steps in one
// clock (next_o and next2_o are two consecutive draws), so the write-verify engine draws a
// pulse's two Gaussians in one cycle. load_i restarts the sequence from
// seed_i (must be non-zero; a zero seed is replaced by the reset seed). The reset state is the
// NOISE_SEED register's reset value.

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module lfsr
  import hil_protocol_pkg::*;
  import device_pkg::xorshift32;
(
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        step_i,
  input  logic        step2_i,
  input  logic        load_i,
  input  logic [31:0] seed_i,
  output logic [31:0] state_o,
  output logic [31:0] next_o,
  output logic [31:0] next2_o
);

  localparam logic [31:0] ResetSeed = 32'(REG_NOISE_SEED_RESET);

  logic [31:0] state_d, state_q;
  logic [31:0] s3, s6;

  assign s3 = xorshift32(state_q);
  assign s6 = xorshift32(s3);

  always_comb begin
    state_d = state_q;
    if (load_i) begin
      state_d = (seed_i != 32'd0) ? seed_i : ResetSeed;
    end else if (step2_i) begin
      state_d = s6;
    end else if (step_i) begin
      state_d = s3;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= ResetSeed;
    end else begin
      state_q <= state_d;
    end
  end

  assign state_o = state_q;
  assign next_o  = s3;
  assign next2_o = s6;

endmodule
