// chip_top bench: bytes queued by cocotb (one per clock, tb_byte_src FIFO) go over a real UART line
// into the chip; the chip's line is decoded by a bench uart_rx, and every received byte is
// published as one out_valid_o pulse with out_data_o (Python wakes once per byte).
// BYTE_LINK = 1 builds the chip without its UARTs: the FIFO feeds chip_top's byte link at one
// byte per clock, and the chip's response bytes are accepted every other clock, so each one is
// still a separate out_valid_o pulse.
`timescale 1ns / 1ps

module tb_chip #(
  parameter int unsigned CLKS_PER_BIT = 8,
  parameter bit          BYTE_LINK = 1'b0
) (
  input  logic       rst_ni,
  input  logic [7:0] in_data_i,
  input  logic       in_valid_i,
  output logic       src_busy_o,
  output logic [7:0] out_data_o,
  output logic       out_valid_o
);

  logic clk;
  initial clk = 1'b0;
  always #5 clk = ~clk;

  logic [7:0] src_data, link_tx_data, host_rx_data;
  logic       src_valid, src_ready, src_empty, tx_ready, line_in, line_out;
  logic       link_tx_valid, link_tx_ready, host_rx_valid;

  tb_byte_src u_src (
    .clk_i      (clk),
    .rst_ni,
    .in_data_i,
    .in_valid_i,
    .out_data_o (src_data),
    .out_valid_o(src_valid),
    .out_ready_i(src_ready),
    .empty_o    (src_empty)
  );

  uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_host_tx (
    .clk_i     (clk),
    .rst_ni,
    .tx_data_i (src_data),
    .tx_valid_i(src_valid && !BYTE_LINK),
    .tx_ready_o(tx_ready),
    .tx_o      (line_in)
  );

  chip_top #(.ROWS(64), .COLS(128), .CLKS_PER_BIT(CLKS_PER_BIT), .BYTE_LINK(BYTE_LINK)) u_dut (
    .clk_i          (clk),
    .rst_ni,
    .uart_rx_i      (line_in),
    .uart_tx_o      (line_out),
    .link_rx_data_i (src_data),
    .link_rx_valid_i(src_valid && BYTE_LINK),
    .link_tx_ready_i(link_tx_ready),
    .link_tx_data_o (link_tx_data),
    .link_tx_valid_o(link_tx_valid)
  );

  uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_host_rx (
    .clk_i         (clk),
    .rst_ni,
    .rx_i          (line_out),
    .rx_data_o     (host_rx_data),
    .rx_valid_o    (host_rx_valid),
    .rx_frame_err_o()
  );

  always_ff @(posedge clk or negedge rst_ni) begin
    if (!rst_ni) link_tx_ready <= 1'b0;
    else link_tx_ready <= !link_tx_ready;
  end

  assign src_ready   = BYTE_LINK ? 1'b1 : tx_ready;
  assign out_data_o  = BYTE_LINK ? link_tx_data : host_rx_data;
  assign out_valid_o = BYTE_LINK ? (link_tx_valid && link_tx_ready) : host_rx_valid;
  assign src_busy_o  = !src_empty || (!BYTE_LINK && !tx_ready);

endmodule
