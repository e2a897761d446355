// UART bench: tb_byte_src -> uart_tx -> line -> uart_rx. cocotb can take the line over
// (force_en_i/force_val_i) to send malformed characters.
`timescale 1ns / 1ps

module tb_uart #(
  parameter int unsigned CLKS_PER_BIT = 8
) (
  input  logic       rst_ni,
  // Bytes to send (one per clock)
  input  logic [7:0] in_data_i,
  input  logic       in_valid_i,
  output logic       src_busy_o,   // bytes queued or a character on the line
  // Line override
  input  logic       force_en_i,
  input  logic       force_val_i,
  // Receiver
  output logic [7:0] rx_data_o,
  output logic       rx_valid_o,
  output logic       rx_frame_err_o,
  output logic [15:0] ferr_count_o
);

  logic clk;
  initial clk = 1'b0;
  always #5 clk = ~clk;

  logic [7:0] src_data;
  logic       src_valid, src_ready, src_empty, tx_line, line;

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

  uart_tx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_tx (
    .clk_i     (clk),
    .rst_ni,
    .tx_data_i (src_data),
    .tx_valid_i(src_valid),
    .tx_ready_o(src_ready),
    .tx_o      (tx_line)
  );

  assign line = force_en_i ? force_val_i : tx_line;

  uart_rx #(.CLKS_PER_BIT(CLKS_PER_BIT)) u_rx (
    .clk_i         (clk),
    .rst_ni,
    .rx_i          (line),
    .rx_data_o,
    .rx_valid_o,
    .rx_frame_err_o
  );

  // Busy until the last character's stop bit has been sent.
  assign src_busy_o = !src_empty || !src_ready;

  always_ff @(posedge clk or negedge rst_ni) begin
    if (!rst_ni) begin
      ferr_count_o <= 16'd0;
    end else if (rx_frame_err_o) begin
      ferr_count_o <= ferr_count_o + 16'd1;
    end
  end

endmodule
