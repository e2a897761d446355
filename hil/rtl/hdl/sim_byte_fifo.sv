// Byte FIFO between cocotb and the simulated host UART: cocotb writes up to LANES bytes per clock
// (in_count_i of them, lowest lane first; no back-pressure: the driver never queues more than
// DEPTH - level_o bytes) and the FIFO drains into a valid/ready sink one byte at a time. Python
// wakes once per LANES bytes it queues, whatever the baud rate.

module sim_byte_fifo #(
  parameter int unsigned DEPTH = 4096,
  parameter int unsigned LANES = 8
) (
  input  logic                      clk_i,
  input  logic                      rst_ni,
  input  logic [8*LANES-1:0]        in_data_i,
  input  logic [$clog2(LANES):0]    in_count_i,
  output logic [7:0]                out_data_o,
  output logic                      out_valid_o,
  input  logic                      out_ready_i,
  output logic [$clog2(DEPTH):0]    level_o
);

  localparam int unsigned AW = $clog2(DEPTH);

  logic [7:0]  mem_q [DEPTH];
  logic [AW:0] wr_q, rd_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_q <= '0;
      rd_q <= '0;
    end else begin
      wr_q <= wr_q + (AW+1)'(in_count_i);
      if (out_valid_o && out_ready_i) begin
        rd_q <= rd_q + 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    for (int unsigned k = 0; k < LANES; k++) begin
      if (k < in_count_i) begin
        mem_q[AW'(wr_q[AW-1:0] + AW'(k))] <= in_data_i[8*k+:8];
      end
    end
  end

  assign out_data_o  = mem_q[rd_q[AW-1:0]];
  assign out_valid_o = (wr_q != rd_q);
  assign level_o     = wr_q - rd_q;

endmodule
