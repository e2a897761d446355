// Test-bench byte source: a FIFO that cocotb fills at one byte per clock (in_valid_i, no
// back-pressure: the bench never queues more than DEPTH bytes) and that drains into a
// valid/ready byte sink. Keeps Python at one wake-up per byte whatever the line rate.

module tb_byte_src #(
  parameter int unsigned DEPTH = 8192
) (
  input  logic       clk_i,
  input  logic       rst_ni,
  input  logic [7:0] in_data_i,
  input  logic       in_valid_i,
  output logic [7:0] out_data_o,
  output logic       out_valid_o,
  input  logic       out_ready_i,
  output logic       empty_o
);

  localparam int unsigned AW = $clog2(DEPTH);

  logic [7:0]  mem_q [DEPTH];
  logic [AW:0] wr_q, rd_q;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      wr_q <= '0;
      rd_q <= '0;
    end else begin
      if (in_valid_i) begin
        wr_q <= wr_q + 1'b1;
      end
      if (out_valid_o && out_ready_i) begin
        rd_q <= rd_q + 1'b1;
      end
    end
  end

  always_ff @(posedge clk_i) begin
    if (in_valid_i) begin
      mem_q[wr_q[AW-1:0]] <= in_data_i;
    end
  end

  assign out_data_o  = mem_q[rd_q[AW-1:0]];
  assign out_valid_o = (wr_q != rd_q);
  assign empty_o     = (wr_q == rd_q);

endmodule
