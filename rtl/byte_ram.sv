// Byte RAM: one synchronous write port, one synchronous read port (1-cycle read latency).
//
// Plain inferable block-RAM template: no reset (contents are undefined after power-up), a read of
// the address being written in the same cycle returns the old byte. Used by frame_rx as its
// replay ring.

module byte_ram #(
  parameter int unsigned DEPTH = 2048,
  localparam int unsigned AW = (DEPTH > 1) ? $clog2(DEPTH) : 1
) (
  input  logic          clk_i,
  // Write port
  input  logic          we_i,
  input  logic [AW-1:0] waddr_i,
  input  logic [7:0]    wdata_i,
  // Read port: rdata_o is mem[raddr_i] of the previous cycle
  input  logic [AW-1:0] raddr_i,
  output logic [7:0]    rdata_o
);

  logic [7:0] mem_q [DEPTH];
  logic [7:0] rdata_q;

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
