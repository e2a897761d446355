// The cell memory: ONE memory of packed per-cell words with one read-modify-write path.
//
// A synchronous read port (rdata_o is the word at raddr_i of the previous cycle, like a block RAM)
// and one write port. The word layout (cell_word_t below, WordW bits) is defined by cmd_exec,
// which owns the device arithmetic; this module only stores words. No reset: cmd_exec's reset
// walker writes every cell before any command is served.

// Lint waiver: `verilator --lint-only -Wall` over the rtl/ files without --top-module makes every
// leaf module a top level module; that is how the leaf modules are linted, not a design issue.
/* verilator lint_off MULTITOP */
module cell_array #(
  parameter int unsigned CELLS = 8192,
  parameter int unsigned WordW = 80,
  localparam int unsigned AW = (CELLS > 1) ? $clog2(CELLS) : 1
) (
  input  logic             clk_i,
  input  logic [AW-1:0]    raddr_i,
  output logic [WordW-1:0] rdata_o,
  input  logic             we_i,
  input  logic [AW-1:0]    waddr_i,
  input  logic [WordW-1:0] wdata_i
);

  logic [WordW-1:0] mem_q [CELLS];
  logic [WordW-1:0] rdata_q;

  always_ff @(posedge clk_i) begin
    if (we_i) begin
      mem_q[waddr_i] <= wdata_i;
    end
  end

  always_ff @(posedge clk_i) begin
    rdata_q <= mem_q[raddr_i];
  end

  assign rdata_o = rdata_q;

endmodule
