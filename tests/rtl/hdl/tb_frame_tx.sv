// frame_tx bench: payload buffer (a vector cocotb writes in one go, read with 1-cycle latency)
// -> frame_tx -> uart_tx -> line -> uart_rx -> rx_data_o/rx_valid_o for cocotb to collect.
`timescale 1ns / 1ps

module tb_frame_tx
  import hil_protocol_pkg::*;
#(
  parameter int unsigned CLKS_PER_BIT = 8
) (
  input  logic                     rst_ni,
  input  logic                     start_i,
  input  logic [7:0]               seq_i,
  input  logic [7:0]               opcode_i,
  input  logic [15:0]              len_i,
  input  logic [8*MAX_PAYLOAD-1:0] payload_i,
  output logic                     busy_o,
  output logic                     done_o,
  output logic [15:0]              done_count_o,
  output logic [7:0]               rx_data_o,
  output logic                     rx_valid_o,
  output logic [15:0]              ferr_count_o,
  output logic                     line_o
);

  logic clk;
  initial clk = 1'b0;
  always #5 clk = ~clk;

  logic [15:0] pl_raddr;
  logic [7:0]  pl_rdata, tx_data;
  logic        tx_valid, tx_ready, ferr;

  always_ff @(posedge clk) begin
    pl_rdata <= (pl_raddr < 16'(MAX_PAYLOAD)) ? payload_i[8*pl_raddr +: 8] : 8'hEE;
  end

  frame_tx u_dut (
    .clk_i     (clk),
    .rst_ni,
    .start_i,
    .seq_i,
    .opcode_i,
    .len_i,
    .busy_o,
    .done_o,
    .pl_raddr_o(pl_raddr),
    .pl_rdata_i(pl_rdata),
    .tx_data_o (tx_data),
    .tx_valid_o(tx_valid),
    .tx_ready_i(tx_ready)
  );

  uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_tx (
    .clk_i     (clk),
    .rst_ni,
    .tx_data_i (tx_data),
    .tx_valid_i(tx_valid),
    .tx_ready_o(tx_ready),
    .tx_o      (line_o)
  );

  uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_rx (
    .clk_i         (clk),
    .rst_ni,
    .rx_i          (line_o),
    .rx_data_o,
    .rx_valid_o,
    .rx_frame_err_o(ferr)
  );

  always_ff @(posedge clk or negedge rst_ni) begin
    if (!rst_ni) begin
      done_count_o <= 16'd0;
      ferr_count_o <= 16'd0;
    end else begin
      if (done_o) done_count_o <= done_count_o + 16'd1;
      if (ferr) ferr_count_o <= ferr_count_o + 16'd1;
    end
  end

endmodule
