// FAULT_INJECT LINE_NOISE: corrupts received bytes between uart_rx and frame_rx, bit-exact with
// fixed_point.LineNoise. While ppm_i != 0, every received byte takes two xorshift32 steps
// (s1, s2) of a generator of its own (seed LineNoiseSeed, so the device's draws never depend on
// the line); the byte is corrupted if s1 < ppm * 2^32 / 1e6, by flipping bit s2[2:0]. The byte
// passes through combinationally (no added latency).

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module line_noise
  import device_pkg::*;
(
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic [31:0] ppm_i,    // corrupted bytes per million (<= 1e6; 0: off)
  input  logic [7:0]  data_i,
  input  logic        valid_i,
  output logic [7:0]  data_o,
  output logic        valid_o
);

  logic [31:0] state_q, s1, s2, ppm_q;
  logic [32:0] threshold_q;  // ppm * 2^32 / 1e6 (<= 2^32), recomputed only when ppm_i changes
  logic        hit;

  assign s1        = xorshift32(state_q);
  assign s2        = xorshift32(s1);
  assign hit       = valid_i && ppm_i != 32'd0 && {1'b0, s1} < threshold_q;
  assign data_o    = hit ? (data_i ^ (8'd1 << s2[2:0])) : data_i;
  assign valid_o   = valid_i;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      state_q <= 32'(LineNoiseSeed);
    end else if (valid_i && ppm_i != 32'd0) begin
      state_q <= s2;
    end
  end

  // ppm_i changes only between requests, never while a byte arrives; one clock is enough.
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      ppm_q       <= 32'd0;
      threshold_q <= 33'd0;
    end else if (ppm_i != ppm_q) begin
      ppm_q       <= ppm_i;
      threshold_q <= 33'(({32'd0, ppm_i} << 32) / 64'(LineNoiseFullScale));
    end
  end

endmodule
